import { parseArgs } from 'node:util'
import { getScheme, schemeNames } from '../schemes/registry.js'
import type { AnyScheme } from '../schemes/types.js'
import { type CliIO, UsageError } from './io.js'

/** One option of a command, as `node:util` parseArgs takes it, plus its line in `--help`. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** The placeholder shown in help, e.g. `URL`. */
  value?: string
  description: string
}

/** What `--help` shows and how the arguments parse. */
export interface CommandSpec {
  name: string
  summary: string
  usage: string
  options: Record<string, OptionSpec>
  examples: string[]
  /** How many positionals are allowed (default 0). */
  maxPositionals?: number
}

/** Options every command takes. */
const common: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print machine-readable JSON (one object per line)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
}

/** The options that pick a signature scheme and its secret. */
export const schemeOptions: Record<string, OptionSpec> = {
  scheme: {
    type: 'string',
    value: 'NAME',
    description: `signature scheme: ${schemeNames.join(', ')}`,
  },
  secret: {
    type: 'string',
    value: 'SECRET',
    description: 'signing secret (or set HOOKWRIGHT_SECRET, which keeps it out of `ps`)',
  },
}

export type Parsed = {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>
  positionals: string[]
}

/** `--help` text: usage, options with their values, and examples. */
export function helpText(spec: CommandSpec): string {
  const options = { ...spec.options, ...common }
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`
    return [flag, o.description + (o.multiple ? ' (repeatable)' : '')] as const
  })
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2
  return [
    `${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    '',
    'Examples:',
    ...spec.examples.map((e) => `  $ ${e}`),
    '',
  ].join('\n')
}

/**
 * Parses argv with `node:util` parseArgs. Returns undefined after printing help for `--help`;
 * unknown options, missing values and extra arguments throw a one-line UsageError.
 */
export function parse(argv: string[], spec: CommandSpec, io: CliIO): Parsed | undefined {
  const options = { ...spec.options, ...common }
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> =
    {}
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), multiple: !!o.multiple }
  }
  let parsed: Parsed
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true })
  } catch (error) {
    // A value starting with '-' reads as an option unless written `--name=value`: say so, without
    // echoing the value (it may be a secret).
    const ambiguous = /^Option '(--[\w-]+)'[^\n]* argument is ambiguous/.exec(
      String((error as Error).message),
    )
    if (ambiguous) {
      const name = ambiguous[1]!
      throw new UsageError(
        `${name} needs a value, and the next argument starts with '-': write a value that starts with '-' as ${name}=<value>. See \`hookwright ${spec.name} --help\`.`,
      )
    }
    // parseArgs messages run over several lines with advice for other tools; keep the first.
    const first = String((error as Error).message).split(/\.\s|\n/)[0]!
    throw new UsageError(`${first.replace(/\.$/, '')}. See \`hookwright ${spec.name} --help\`.`)
  }
  if (parsed.values.help) {
    io.stdout.write(helpText(spec))
    return undefined
  }
  const max = spec.maxPositionals ?? 0
  if (parsed.positionals.length > max) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[max])}. See \`hookwright ${spec.name} --help\`.`,
    )
  }
  return parsed
}

/** A string option's value, or undefined. */
export function str(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name]
  return typeof v === 'string' ? v : undefined
}

/** A required string option. */
export function required(parsed: Parsed, name: string, what: string): string {
  const v = str(parsed, name)
  if (v === undefined || v === '') throw new UsageError(`--${name} is required (${what}).`)
  return v
}

/** A whole number option within bounds. */
export function int(
  parsed: Parsed,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const v = str(parsed, name)
  if (v === undefined) return fallback
  const n = /^\d+$/.test(v) ? Number(v) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}.`,
    )
  }
  return n
}

/** An absolute http(s) URL option. */
export function url(parsed: Parsed, name: string, what: string): string {
  const v = required(parsed, name, what)
  let u: URL
  try {
    u = new URL(v)
  } catch {
    throw new UsageError(`--${name} must be an absolute http(s) URL, got ${JSON.stringify(v)}.`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`--${name} must be an http(s) URL, got ${JSON.stringify(v)}.`)
  }
  return u.href
}

/**
 * `--scheme` and `--secret` (or HOOKWRIGHT_SECRET) resolved: an unknown scheme or a missing
 * secret is a one-line usage error. The secret itself never appears in a message.
 */
export function schemeAndSecret(parsed: Parsed, io: CliIO): { scheme: AnyScheme; secret: string } {
  const name = required(parsed, 'scheme', `one of ${schemeNames.join(', ')}`)
  const scheme = getScheme(name)
  const secret = str(parsed, 'secret') ?? io.env.HOOKWRIGHT_SECRET
  if (!secret) {
    throw new UsageError('--secret is required (or set HOOKWRIGHT_SECRET).')
  }
  return { scheme, secret }
}

/** `'K: V'` header arguments as pairs; a value may contain colons. */
export function headerPairs(values: string[]): Array<[string, string]> {
  return values.map((h) => {
    const colon = h.indexOf(':')
    if (colon <= 0)
      throw new UsageError(`--header must look like 'Name: value', got ${JSON.stringify(h)}.`)
    return [h.slice(0, colon).trim(), h.slice(colon + 1).trim()]
  })
}

/** Quotes a string for a POSIX shell. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
