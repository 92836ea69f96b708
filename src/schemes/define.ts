import { randomBytes } from 'node:crypto'
import { toBytes } from '../crypto.js'
import { HookwrightError, invalidOption } from '../errors.js'
import type {
  BodyLike,
  HeadersLike,
  Payload,
  Scheme,
  SignOptions,
  SignedRequest,
  TimeLike,
  VerifyFailure,
  VerifyFailureReason,
  VerifyOk,
  VerifyOptions,
  VerifyResult,
} from './types.js'

/** What a scheme's own `sign` receives once the common options are checked and normalised. */
export interface SignContext<S extends SignOptions> {
  options: S
  /** The body to send, exactly as it will be signed. */
  body: string | Uint8Array
  bodyBytes: Buffer
  /** Unix seconds. */
  timestamp: number
}

/** What a scheme's own `verify` receives once the common options are checked and normalised. */
export interface VerifyContext<V extends VerifyOptions> {
  options: V
  header(name: string): string | undefined
  body: Buffer
  /** Non-empty, at least one. */
  secrets: readonly string[]
  /** Seconds. */
  tolerance: number
  /** Unix seconds. */
  now: number
  fail(reason: VerifyFailureReason, message: string): VerifyFailure
  ok(secretIndex: number, extra?: { timestamp?: number; id?: string }): VerifyOk
}

export interface SchemeDefinition<S extends SignOptions, V extends VerifyOptions> {
  name: string
  headers: readonly string[]
  tolerance?: number
  /** Rewrites the payload before it is serialised and signed (Linear stamps the time into it). */
  payload?(payload: Payload, timestamp: number): Payload
  /** Defaults to 32 random bytes as hex, used for both signing and verifying. */
  generateSecret?(): { signSecret: string; verifySecret: string }
  sign(ctx: SignContext<S>): Record<string, string>
  verify(ctx: VerifyContext<V>): VerifyResult
}

/** Raised by `verifyOrThrow`; `reason` is the `VerifyFailureReason`. */
export class WebhookVerificationError extends HookwrightError {
  readonly reason: VerifyFailureReason
  readonly scheme: string

  constructor(failure: VerifyFailure) {
    super('HOOKWRIGHT_VERIFICATION_FAILED', `${failure.scheme}: ${failure.message}`)
    this.name = 'WebhookVerificationError'
    this.reason = failure.reason
    this.scheme = failure.scheme
  }
}

/**
 * Builds a scheme value from its two provider-specific parts. Option checking, secrets and
 * rotation, time units, header lookup and `verifyOrThrow` live here once, so every scheme
 * behaves the same on misuse.
 */
export function defineScheme<S extends SignOptions, V extends VerifyOptions>(
  def: SchemeDefinition<S, V>,
): Scheme<S, V> {
  const name = def.name
  const fail = (reason: VerifyFailureReason, message: string): VerifyFailure => ({
    ok: false,
    scheme: name,
    reason,
    message,
  })
  // Built once per scheme, not per call: verify runs on every request. The fields are copied
  // one by one because a spread into a literal is a slow path, and this runs per request.
  const ok = (secretIndex: number, extra?: { timestamp?: number; id?: string }): VerifyOk => {
    const result: VerifyOk = { ok: true, scheme: name, secretIndex }
    if (extra !== undefined) {
      if ('timestamp' in extra) result.timestamp = extra.timestamp
      if ('id' in extra) result.id = extra.id
    }
    return result
  }
  const verify = (options: V): VerifyResult => {
    if (options === null || typeof options !== 'object') {
      invalidOption(`${name}.verify(options)`, 'an object with headers, body and secret', options)
    }
    let secrets = resolveSecrets(options, `${name}.verify`)
    let okAt = ok
    // Stryker disable next-line ConditionalExpression: with no blank entry the remapping is the identity
    if (secrets.some(isBlank)) {
      // Skip blank entries but report the matching secret's position in the list as given.
      const positions = secrets.flatMap((s, i) => (isBlank(s) ? [] : [i]))
      secrets = positions.map((i) => secrets[i]!)
      okAt = (index, extra) => ok(positions[index]!, extra)
    }
    const tolerance = options.tolerance ?? def.tolerance ?? 0
    // Stryker disable next-line ConditionalExpression: `typeof x !== 'number'` narrows the type; Number.isFinite already refuses every non-number
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      invalidOption('tolerance', 'a number of seconds >= 0', options.tolerance)
    }
    const header = headerReader(options.headers)
    const body = bodyBytes(options.body)
    if (secrets.length === 0) {
      return fail(
        'missing_secret',
        'Every secret in `secrets` is empty: check the configuration that supplies them.',
      )
    }
    return def.verify({
      options,
      header,
      body,
      secrets,
      tolerance,
      now:
        options.now === undefined ? Math.floor(Date.now() / 1000) : toSeconds(options.now, 'now')!,
      fail,
      ok: okAt,
    })
  }
  return {
    name,
    headers: def.headers,
    tolerance: def.tolerance,
    generateSecret:
      def.generateSecret ??
      (() => {
        const secret = randomBytes(32).toString('hex')
        return { signSecret: secret, verifySecret: secret }
      }),
    sign(options: S): SignedRequest {
      if (options === null || typeof options !== 'object') {
        invalidOption(`${name}.sign(options)`, 'an object with payload and secret', options)
      }
      requireSecret(options.secret, `${name}.sign`)
      if (options.id !== undefined) checkHeaderText(options.id, 'id')
      if (options.url !== undefined && typeof options.url !== 'string') {
        invalidOption('url', 'the full request URL as a string', options.url)
      }
      const timestamp = toSeconds(options.timestamp, 'timestamp') ?? Math.floor(Date.now() / 1000)
      const body = payloadToBody(
        def.payload ? def.payload(options.payload, timestamp) : options.payload,
      )
      const headers = def.sign({ options, body, bodyBytes: toBytes(body), timestamp })
      checkSignedHeaders(headers, options)
      // Bodies are never views of a SharedArrayBuffer here, which is what fetch's BodyInit needs.
      return { headers, body: body as string | Uint8Array<ArrayBuffer> }
    },
    verify,
    verifyOrThrow(options: V): VerifyOk {
      const result = verify(options)
      if (!result.ok) throw new WebhookVerificationError(result)
      return result
    },
  }
}

/** The body a payload is sent as: strings and bytes as they are, objects as compact JSON. */
export function payloadToBody(payload: Payload): string | Uint8Array {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return payload
  if (payload === null || typeof payload !== 'object') {
    invalidOption('payload', 'an object, a string or a Uint8Array', payload)
  }
  let json: string | undefined
  try {
    json = JSON.stringify(payload)
  } catch (error) {
    // A BigInt, a cycle or a throwing toJSON: JSON.stringify's own TypeError names none.
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error)
    invalidOption('payload', `an object JSON.stringify can serialise (${why})`, payload)
  }
  if (typeof json !== 'string') {
    invalidOption(
      'payload',
      'an object JSON.stringify can serialise (its toJSON gave nothing)',
      payload,
    )
  }
  return json
}

// Header values go on the wire as they are: text only, not empty, and no CR or LF to start a
// new header.
const HEADER_TEXT = /^[\t\x20-\x7e\x80-\uffff]+$/
const HEADER_TEXT_EXPECTED = 'a non-empty string without control characters (no CR or LF)'

function checkHeaderText(value: unknown, option: string): void {
  if (typeof value !== 'string' || !HEADER_TEXT.test(value)) {
    invalidOption(option, HEADER_TEXT_EXPECTED, value)
  }
}

/**
 * Every header a scheme made must be text: an option of the wrong type (an object, a number),
 * empty or with CR/LF would otherwise be copied into a header, or signed as "[object Object]".
 * The error names the option the value came from when it can tell. A header that carries the
 * secret (a token scheme's) names `secret` and never shows the value.
 */
function checkSignedHeaders(headers: Record<string, unknown>, options: SignOptions): void {
  for (const header in headers) {
    const value = headers[header]
    if (typeof value === 'string' && HEADER_TEXT.test(value)) continue
    const carriesSecret = typeof value === 'string' && value.includes(options.secret)
    const from = carriesSecret
      ? 'secret'
      : Object.entries(options).find(([, v]) => v === value)?.[0]
    invalidOption(from ?? `the ${header} header`, HEADER_TEXT_EXPECTED, value, {
      secret: carriesSecret,
    })
  }
}

/** The raw body as a Buffer view (no copy for Buffers and Uint8Arrays). */
export function bodyBytes(body: BodyLike): Buffer {
  if (typeof body === 'string' || body instanceof Uint8Array) return toBytes(body)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  return invalidOption('body', 'the raw body as a string, Buffer, Uint8Array or ArrayBuffer', body)
}

/**
 * Unix seconds from a Date or a number of seconds. A number that can only be milliseconds
 * (after the year 5138 in seconds) is refused, since that mix-up silently breaks tolerance checks.
 */
export function toSeconds(value: TimeLike | undefined, option: string): number | undefined {
  if (value === undefined) return undefined
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) invalidOption(option, 'a valid Date or Unix seconds', 'Invalid Date')
    return Math.floor(ms / 1000)
  }
  // Stryker disable next-line ConditionalExpression: `typeof x !== 'number'` narrows the type; Number.isFinite already refuses every non-number
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidOption(option, 'a Date or a number of Unix seconds', value)
  }
  if (value > 1e11) {
    invalidOption(option, 'Unix seconds (this looks like milliseconds: divide by 1000)', value)
  }
  return Math.floor(value)
}

function requireSecret(secret: unknown, where: string): asserts secret is string {
  if (typeof secret !== 'string') {
    throw new HookwrightError(
      'HOOKWRIGHT_MISSING_SECRET',
      `${where}: \`secret\` must be a non-empty string` +
        (secret === undefined ? ' (none was given).' : '.'),
    )
  }
  refuseBlank(secret, 'secret', where)
}

const isBlank = (secret: string): boolean => secret.trim() === ''

/**
 * Throws when a secret is empty or only whitespace. Such a secret is always a configuration
 * mistake (python-slack-sdk refuses it too), yet it would sign and verify, so a test would pass
 * while production runs without a real secret. The message says which, never the secret.
 */
export function refuseBlank(secret: string, option: string, where: string): void {
  if (isBlank(secret)) {
    throw new HookwrightError(
      'HOOKWRIGHT_INVALID_OPTION',
      `Invalid option \`${option}\` of ${where}: expected a secret that is not empty or only ` +
        `whitespace, got ${secret === '' ? 'an empty string' : 'only whitespace'}.`,
    )
  }
}

/**
 * `secret` or `secrets`. Giving neither, or a `secret` that is empty or only whitespace, is
 * misuse and throws. In a `secrets` list blank entries are skipped (an old secret's unset
 * variable during a rotation) but still counted, so `secretIndex` is the position in the list
 * as given; a list with no usable secret is a result, `missing_secret`.
 */
function resolveSecrets(options: VerifyOptions, where: string): string[] {
  const { secret, secrets } = options
  if (typeof secret === 'string' && secrets === undefined) {
    refuseBlank(secret, 'secret', where)
    return [secret]
  }
  if (secret === undefined && secrets === undefined) {
    throw new HookwrightError(
      'HOOKWRIGHT_MISSING_SECRET',
      `${where}: pass \`secret\` (a string) or \`secrets\` (an array of strings during a rotation).`,
    )
  }
  if (secret !== undefined && secrets !== undefined) {
    // Stryker disable next-line StringLiteral: the value shown is hidden ({ secret: true }), whatever it is
    invalidOption('secret', 'either `secret` or `secrets`, not both', 'both', { secret: true })
  }
  const list = secrets ?? [secret]
  if (!Array.isArray(list)) invalidOption('secrets', 'an array of strings', list, { secret: true })
  for (const s of list) {
    if (typeof s !== 'string') invalidOption('secret', 'a string', typeof s, { secret: true })
  }
  return list as string[]
}

/** A case-insensitive header lookup over any HeadersLike; repeated headers are joined by ", ". */
export function headerReader(headers: HeadersLike): (name: string) => string | undefined {
  if (headers === null || typeof headers !== 'object') {
    return invalidOption('headers', 'an object, a Headers instance or [name, value] pairs', headers)
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,BlockStatement: a Headers read as [name, value] pairs gives the same values (this is the fast path)
  if (typeof (headers as Headers).get === 'function' && typeof Headers !== 'undefined') {
    const h = headers as Headers
    return (name) => h.get(name) ?? undefined
  }
  let map: Map<string, string> | undefined
  const build = (): Map<string, string> => {
    const m = new Map<string, string>()
    const add = (key: string, value: unknown) => {
      if (value === undefined || value === null) return
      const k = key.toLowerCase()
      const v = formatHeaderValue(value)
      const prev = m.get(k)
      m.set(k, prev === undefined ? v : `${prev}, ${v}`)
    }
    if (Symbol.iterator in headers) {
      for (const entry of headers as Iterable<readonly [string, string]>) {
        if (Array.isArray(entry) && typeof entry[0] === 'string') add(entry[0], entry[1])
      }
    } else {
      for (const [key, value] of Object.entries(headers)) add(key, value)
    }
    return m
  }
  // Stryker disable next-line ConditionalExpression: either lookup finds the same values (this picks the faster one)
  if (Symbol.iterator in headers) return (name) => (map ??= build()).get(name)
  // Node's IncomingHttpHeaders are already lower-case: look the name up directly (the hot path),
  // and only fold case, once and lazily, for objects written with other casing. (A hand-made
  // object holding one header under two casings gets the lower-case one.)
  const record = headers as Record<string, unknown>
  // Whether any name has an upper-case letter, found on the first miss: when none has (node's
  // headers), a name that is not there directly is not there at all, and no map is built. A
  // scheme that looks for an optional header (Shopify's new names) misses on every request.
  let mixedCase: boolean | undefined
  return (name) => {
    const direct = Object.hasOwn(record, name) ? record[name] : undefined
    if (direct !== undefined && direct !== null) return formatHeaderValue(direct)
    // Stryker disable next-line ConditionalExpression: folding case for every object finds the same values (only slower)
    mixedCase ??= Object.keys(record).some((key) => key !== key.toLowerCase())
    return mixedCase ? (map ??= build()).get(name) : undefined
  }
}

function formatHeaderValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join(', ')
  }
  // An object, a symbol, a function: String() would throw or give "[object Object]".
  return invalidOption('headers', 'values that are strings, numbers or arrays of strings', value)
}

/**
 * Calls `visit(key, value)` for each `key<pairSep>value` item of a `<itemSep>`-separated header,
 * in order, as Stripe's `t=…,v1=…` and Standard Webhooks' `v1,… v1a,…` are written. Items with
 * no `pairSep` or an empty key are skipped; keys and values are passed as written (untrimmed).
 * Walked with indexOf rather than split, so no array of items is made, and in linear time even
 * for a hostile header of many items without `pairSep`: the next `pairSep` is searched for again
 * only once the walk has passed it.
 */
export function eachHeaderPair(
  header: string,
  itemSep: string,
  pairSep: string,
  visit: (key: string, value: string) => void,
): void {
  let sep = header.indexOf(pairSep)
  for (let start = 0; start <= header.length;) {
    const next = header.indexOf(itemSep, start)
    const end = next === -1 ? header.length : next
    if (sep !== -1 && sep < start) sep = header.indexOf(pairSep, start)
    if (sep > start && sep < end) visit(header.slice(start, sep), header.slice(sep + 1, end))
    start = end + 1
  }
}
/** Parses a header of Unix seconds strictly: digits only. */
export function parseTimestamp(text: string): number | undefined {
  return /^\d{1,12}$/.test(text) ? Number(text) : undefined
}

/**
 * Compares a signed timestamp against `now`. `future: false` mirrors libraries (Stripe's)
 * that only refuse old timestamps.
 */
export function checkTimestamp<V extends VerifyOptions>(
  ctx: VerifyContext<V>,
  timestamp: number,
  { future = true }: { future?: boolean } = {},
): VerifyFailure | undefined {
  const age = ctx.now - timestamp
  if (age > ctx.tolerance) {
    return ctx.fail(
      'timestamp_too_old',
      `The timestamp is ${age}s old, more than the tolerance of ${ctx.tolerance}s.`,
    )
  }
  if (future && -age > ctx.tolerance) {
    return ctx.fail(
      'timestamp_in_future',
      `The timestamp is ${-age}s in the future, more than the tolerance of ${ctx.tolerance}s.`,
    )
  }
  return undefined
}

/** `now` in milliseconds: the caller's `Date` or seconds as given, else the clock. */
export function nowMilliseconds(now: TimeLike | undefined): number {
  if (now === undefined) return Date.now()
  return now instanceof Date ? now.getTime() : now * 1000
}

/**
 * `checkTimestamp` for a timestamp in Unix milliseconds, compared in milliseconds against `now`
 * (HubSpot's and Linear's libraries do), so a fraction of a second past the tolerance counts.
 */
export function checkMilliseconds<V extends VerifyOptions>(
  ctx: VerifyContext<V>,
  timestampMs: number,
  { future = true }: { future?: boolean } = {},
): VerifyFailure | undefined {
  const age = nowMilliseconds(ctx.options.now) - timestampMs
  const limit = ctx.tolerance * 1000
  if (age > limit) {
    return ctx.fail(
      'timestamp_too_old',
      `The timestamp is ${age / 1000}s old, more than the tolerance of ${ctx.tolerance}s.`,
    )
  }
  if (future && -age > limit) {
    return ctx.fail(
      'timestamp_in_future',
      `The timestamp is ${-age / 1000}s in the future, more than the tolerance of ${ctx.tolerance}s.`,
    )
  }
  return undefined
}
