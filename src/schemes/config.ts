import { invalidOption } from '../errors.js'

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * One option of a `.with(config)` object: `check` returns what the option accepts when the
 * value is wrong (the text error messages show), or `undefined` when it is fine.
 */
export interface OptionRule {
  required?: boolean
  check(value: unknown): string | undefined
}

/** A string option, optionally refused when `pattern` does not match (with its own text). */
export function stringRule(
  accepted: string,
  pattern?: { test: RegExp; accepted: string },
  required = false,
): OptionRule {
  return {
    required,
    check(value) {
      if (typeof value !== 'string') return accepted
      if (pattern !== undefined && !pattern.test.test(value)) return pattern.accepted
      return undefined
    },
  }
}

/** An option that must be one of `values`, shown as `"a", "b" or "c"`. */
export function oneOfRule(values: readonly string[]): OptionRule {
  const quoted = values.map((v) => JSON.stringify(v))
  const accepted = `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
  return { check: (value) => (values.includes(value as string) ? undefined : accepted) }
}

/**
 * Checks a `.with(config)` object against its rules and throws the first problem as a
 * `HOOKWRIGHT_INVALID_OPTION` that names the option, what is accepted and what was given.
 * Hand-written rather than a zod schema: the schemes are loaded by `import 'hookwright'`, which
 * loads no package (zod costs ~60 ms at import). Returns the options that were given.
 */
export function parseConfig<T extends object>(
  rules: Record<keyof T & string, OptionRule>,
  config: unknown,
  where: string,
): T {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    return invalidOption(where, 'a config object', config)
  }
  const given = config as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, rule] of Object.entries<OptionRule>(rules)) {
    const value = Object.hasOwn(given, key) ? given[key] : undefined
    if (value === undefined && !rule.required) continue
    const accepted = rule.check(value)
    if (accepted !== undefined) invalidOption(`${where} ${key}`, accepted, value)
    out[key] = value
  }
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(rules, key))
  if (unknown.length > 0) {
    invalidOption(
      where,
      `only the options ${Object.keys(rules).join(', ')}`,
      `unknown option(s) ${unknown.join(', ')}`,
    )
  }
  return out as T
}
