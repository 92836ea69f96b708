/**
 * Stable error codes, so callers can branch on `error.code` the way they do on undici's
 * `UND_ERR_*`. Add a code here when a new kind of failure appears; never reuse one.
 */
export type HookwrightErrorCode =
  | 'HOOKWRIGHT_INVALID_OPTION'
  | 'HOOKWRIGHT_MISSING_SECRET'
  | 'HOOKWRIGHT_UNKNOWN_SCHEME'
  | 'HOOKWRIGHT_VERIFICATION_FAILED'
  | 'HOOKWRIGHT_TIMEOUT'
  | 'HOOKWRIGHT_CLOSED'
  | 'HOOKWRIGHT_REMOTE'
  | 'HOOKWRIGHT_FIXTURE_NOT_FOUND'
  | 'HOOKWRIGHT_FIXTURE_INVALID'
  | 'HOOKWRIGHT_SEND_FAILED'
  | 'HOOKWRIGHT_ASSERTION'
  | 'HOOKWRIGHT_INVALID_BODY'
  | 'HOOKWRIGHT_MOVED'
  | 'HOOKWRIGHT_MISSING_DEPENDENCY'
  | 'HOOKWRIGHT_ALREADY_INTERCEPTING'

/**
 * Every error hookwright throws on purpose. `code` is stable across versions.
 *
 * @example
 * try { await ep.waitFor({ count: 2, timeout: 500 }) }
 * catch (e) { if (e instanceof HookwrightError && e.code === 'HOOKWRIGHT_TIMEOUT') … }
 */
export class HookwrightError extends Error {
  readonly code: HookwrightErrorCode

  constructor(code: HookwrightErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HookwrightError'
    this.code = code
  }
}

/**
 * Throws a misuse error that names the option, what was accepted and what was given.
 * Secrets are never echoed: pass `secret: true` for options that may hold one. `hint` is
 * appended as is (a " Did you mean …?").
 */
export function invalidOption(
  option: string,
  expected: string,
  got?: unknown,
  { secret = false, hint = '' }: { secret?: boolean; hint?: string } = {},
): never {
  const shown = secret ? '(hidden)' : describeValue(got)
  throw new HookwrightError(
    'HOOKWRIGHT_INVALID_OPTION',
    `Invalid option \`${option}\`: expected ${expected}, got ${shown}.${hint}`,
  )
}

/** A short, safe description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  if (typeof value === 'string') {
    return value.length > 60 ? `"${value.slice(0, 57)}..."` : JSON.stringify(value)
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.byteLength})`
  if (typeof value === 'function') return 'a function'
  return `an object with keys [${Object.keys(value as object)
    .slice(0, 8)
    .join(', ')}]`
}
