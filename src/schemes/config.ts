import type { z } from 'zod'
import { invalidOption } from '../errors.js'

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Checks a `.with(config)` object against a zod schema and throws the first problem as a
 * `HOOKWRIGHT_INVALID_OPTION` that names the option, what is accepted and what was given.
 * Schemas put the accepted values in each check's `error` text.
 */
export function parseConfig<T extends z.ZodType>(
  schema: T,
  config: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(config)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  if (issue.code === 'unrecognized_keys') {
    const known = 'shape' in schema ? Object.keys(schema.shape as object).join(', ') : ''
    return invalidOption(
      where,
      `only the options ${known}`,
      `unknown option(s) ${issue.keys.join(', ')}`,
    )
  }
  if (issue.path.length === 0) return invalidOption(where, 'a config object', config)
  let value: unknown = config
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown>)[key]
  return invalidOption(`${where} ${issue.path.join('.')}`, issue.message, value)
}
