import { randomUUID } from 'node:crypto'
import { toBytes } from '../crypto.js'
import { HookwrightError, invalidOption } from '../errors.js'
import { toSeconds } from '../schemes/define.js'
import { getScheme, type SchemeInput } from '../schemes/registry.js'
import type { Payload, SignedRequest, TimeLike, VerifyFailureReason } from '../schemes/types.js'
import { defaultContentType, lowerCaseHeaders } from '../sender/deliver.js'
import { limitsFor } from './limits.js'
import { signatureVariants } from './variants.js'

/** The rule a case checks: the signature, processing once, answering in time, staying up. */
export type CaseGroup = 'signature' | 'idempotency' | 'timing' | 'robustness'

/**
 * One request to throw at a receiver, and what a correct receiver does with it. Plain data,
 * ready for `it.each` and `fetch(url, { method: 'POST', headers, body })`, or
 * `handler(c.toRequest(url))` for a fetch handler.
 */
export interface BadDelivery {
  /** Stable kebab-case name: `tampered-body`, `timestamp-too-old`, … */
  name: string
  /** `signature` for the signature cases, `idempotency` for the replay and the retry, … */
  group: CaseGroup
  /** One sentence: what was changed and why a receiver must (or may) let it through. */
  description: string
  headers: Record<string, string>
  body: string | Uint8Array<ArrayBuffer>
  /** `accept`: answer 2xx. `reject`: answer anything else (401/400/409…), and do not process it. */
  expect: 'reject' | 'accept'
  /**
   * What hookwright's own verifier says of the request (a `VerifyFailureReason`), or
   * `replayed` for the replay case, whose signature is valid.
   */
  reason?: VerifyFailureReason | 'replayed'
  /** Set when the scheme signs a URL that differs from the one given (Twilio's `bodySHA256`). */
  url?: string
  /**
   * Send this request twice: the first must be accepted, and `expect` is about the second (a
   * receiver may answer it non-2xx, or 2xx while ignoring it as a duplicate).
   */
  sendTwice?: true
  /**
   * Send this request first: it must be accepted, and `expect` is about the case's own request
   * (the retry of `retried-with-new-signature`: same message id, later timestamp, new signature).
   */
  sendFirst?: { headers: Record<string, string>; body: string | Uint8Array<ArrayBuffer> }
  /**
   * The case as a Fetch `Request` to `url` (POST), for a fetch handler called in-process:
   * `await handler(c.toRequest('http://localhost/webhooks'))`. Not enumerable, so the case
   * stays plain data when logged or compared.
   */
  toRequest(url: string): Request
}

export interface BadDeliveriesOptions {
  payload: Payload
  /** The signing secret (for asymmetric schemes, the private key). */
  secret: string
  /** The secret the receiver verifies with, when it differs (asymmetric schemes). Default `secret`. */
  verifySecret?: string
  /** The URL the cases will be sent to: needed by URL-signing schemes (Twilio). */
  url?: string
  /** The receiver's timestamp tolerance in seconds. Default: the scheme's. */
  tolerance?: number
  /** The time the receiver will check against. Default now. */
  now?: TimeLike
  /** The message id of the valid case (Standard Webhooks' `webhook-id`). Default a fresh one. */
  id?: string
  /**
   * The biggest body the receiver must take: `oversized-body` is one byte past it. Default the
   * provider's documented maximum (GitHub's 25 MB), else 1 MiB (see `providerLimits`).
   */
  maxBodyBytes?: number
}

const OPTION_KEYS = new Set([
  'payload',
  'secret',
  'verifySecret',
  'url',
  'tolerance',
  'now',
  'id',
  'maxBodyBytes',
])

/**
 * Every bad variant of a signed delivery, plus valid ones, for a scheme: tampered body, wrong
 * secret, missing or malformed or empty signature, timestamps just outside (and just inside)
 * the tolerance, a replayed message id, re-serialised JSON, the wrong signature version or
 * algorithm, an empty body, and for token schemes wrong tokens of every kind.
 *
 * Accepted cases carry distinct message ids (the scheme's `id`, and a suffixed top-level `id`
 * when the payload is an object that has one), so a receiver with replay protection accepts
 * each of them once.
 *
 * @example
 * it.each(badDeliveries('stripe', { payload, secret }))('$name', async (c) => {
 *   const res = await fetch(url, { method: 'POST', headers: c.headers, body: c.body })
 *   expect(res.ok).toBe(c.expect === 'accept')
 * })
 */
export function badDeliveries(scheme: SchemeInput, options: BadDeliveriesOptions): BadDelivery[] {
  const s = getScheme(scheme)
  if (options === null || typeof options !== 'object') {
    invalidOption('badDeliveries(scheme, options)', 'an object { payload, secret, … }', options)
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      invalidOption(`badDeliveries({ ${key} })`, `one of ${[...OPTION_KEYS].join(', ')}`, key)
    }
  }
  const { payload, secret, url } = options
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new HookwrightError(
      'HOOKWRIGHT_MISSING_SECRET',
      'badDeliveries: `secret` must be a non-empty string' +
        (secret === undefined ? ' (none was given).' : '.'),
    )
  }
  // Stryker disable next-line ConditionalExpression,LogicalOperator,BlockStatement: sign() refuses a missing payload in the same words; this says it before any signing
  if (payload === undefined || payload === null) {
    invalidOption('payload', 'an object, a string or a Uint8Array', payload)
  }
  // Stryker disable next-line ConditionalExpression: sign() refuses a relative url in the same words; this says it before any signing
  if (url !== undefined && (typeof url !== 'string' || !URL.canParse(url))) {
    invalidOption('url', 'an absolute URL', url)
  }
  const verifySecret = options.verifySecret ?? secret
  const now = toSeconds(options.now, 'now') ?? Math.floor(Date.now() / 1000)
  const tolerance = options.tolerance ?? s.tolerance
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !(tolerance >= 0))) {
    invalidOption('tolerance', 'a number of seconds >= 0', tolerance)
  }
  const baseId = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`
  const maxBodyBytes = options.maxBodyBytes ?? limitsFor(s.name).maxBodyBytes
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > 256 * 1024 * 1024) {
    invalidOption('maxBodyBytes', 'a whole number of bytes from 1 to 268435456', maxBodyBytes)
  }

  const sign = (
    p: Payload,
    extra: { secret?: string; timestamp?: number; id?: string } = {},
  ): SignedRequest & { url?: string } =>
    s.sign({
      payload: p,
      secret: extra.secret ?? secret,
      timestamp: extra.timestamp ?? now,
      id: extra.id ?? baseId,
      // Stryker disable next-line ConditionalExpression: sign() reads url: undefined as no url
      ...(url !== undefined ? { url } : {}),
    })
  const sigHeader = s.headers[0]!
  const cases: BadDelivery[] = []
  const add = (
    name: string,
    description: string,
    signed: SignedRequest & { url?: string },
    expect: 'accept' | 'reject',
    extra: Partial<BadDelivery> = {},
  ): void => {
    const headers = {
      // The valid delivery's type for every variant: an emptied or re-serialised body is still
      // sent as what the receiver expects, so the case tests the signature, not body parsing.
      'content-type': defaultContentType(valid.body),
      ...lowerCaseHeaders(signed.headers),
    }
    const c = {
      name,
      description,
      group: 'signature',
      headers,
      body: signed.body,
      expect,
      ...extra,
    } as BadDelivery
    if (signed.url !== undefined && signed.url !== url) c.url = signed.url
    cases.push(c)
  }

  const valid = sign(payload)
  const validHeaders = lowerCaseHeaders(valid.headers)
  const withHeaders = (change: Record<string, string | undefined>): SignedRequest => {
    const headers = { ...validHeaders }
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete headers[k]
      else headers[k] = v
    }
    return { ...valid, headers }
  }

  add('valid', 'A correctly signed delivery: must be accepted.', valid, 'accept')
  // A verifySecret that cannot verify the valid delivery would leave every case without its
  // reason (and checkReceiver judging against the wrong key): said now, naming the option.
  if (
    options.verifySecret !== undefined &&
    !safeVerify(valid, verifySecret, valid.url ?? url)?.ok
  ) {
    invalidOption(
      'verifySecret',
      `the key that verifies what \`secret\` signs for ${s.name} (its public key, for a scheme that signs with a private one)`,
      options.verifySecret,
      { secret: true },
    )
  }

  // A token scheme sends the secret itself (after an optional prefix such as "Bearer ").
  // Stryker disable next-line StringLiteral: no text ends with the (non-empty) secret here but a token header
  const sent = validHeaders[sigHeader] ?? ''
  // Set by addTimestampCases when the verifier refuses a request signed just past it.
  let checkedTolerance: number | undefined
  if (sent.endsWith(secret)) {
    addTokenCases(sent.slice(0, sent.length - secret.length))
  } else {
    addSignatureCases()
    addRetryCase()
  }
  addOversizedCase()
  return cases.map((c) => withRequest(withReason(c)))

  function addRetryCase(): void {
    // Only where a timestamp is signed and checked: elsewhere a retry is the same bytes as a
    // replay.
    if (checkedTolerance === undefined || checkedTolerance < 2) return
    const p = uniquePayload(payload, 'retry')
    const id = `${baseId}_retry`
    const first = sign(p, { id, timestamp: now - Math.min(60, Math.floor(checkedTolerance / 2)) })
    add(
      'retried-with-new-signature',
      'The same message (same id in the header and the payload) delivered again later with a ' +
        'fresh timestamp and signature, as providers retry: both answered 2xx, processed once.',
      sign(p, { id }),
      'accept',
      {
        group: 'idempotency',
        sendFirst: {
          headers: {
            'content-type': defaultContentType(first.body),
            ...lowerCaseHeaders(first.headers),
          },
          body: first.body,
        },
      },
    )
  }

  /**
   * A validly signed body of exactly `size` bytes. Object payloads stay objects with a
   * `padding` string (the scheme may add fields of its own, as Linear adds webhookTimestamp),
   * measured once and padded to the size.
   */
  function signOversized(size: number): SignedRequest & { url?: string } {
    const id = `${baseId}_oversized`
    // (payload is not null: refused above.)
    if (typeof payload !== 'object' || payload instanceof Uint8Array) {
      return sign(oversized(payload, size), { id })
    }
    const padded = (n: number) => sign({ ...(payload as object), padding: 'x'.repeat(n) }, { id })
    const probe = padded(0)
    return padded(Math.max(0, size - toBytes(probe.body).length))
  }

  function addOversizedCase(): void {
    add(
      'oversized-body',
      `A validly signed body of ${maxBodyBytes + 1} bytes, one past the ${maxBodyBytes}-byte ` +
        'maximum the provider sends: refused with a 4xx (413), not buffered whole or crashed on.',
      signOversized(maxBodyBytes + 1),
      'reject',
      { group: 'robustness' },
    )
  }

  function addTokenCases(prefix: string): void {
    add(
      'missing-token',
      `No ${sigHeader} header at all.`,
      withHeaders({ [sigHeader]: undefined }),
      'reject',
    )
    add(
      'empty-token',
      `The ${sigHeader} header is present but empty.`,
      withHeaders({ [sigHeader]: prefix }),
      'reject',
    )
    add(
      'wrong-token',
      'A token of the same length that differs in its last character.',
      withHeaders({ [sigHeader]: prefix + changeLastChar(secret) }),
      'reject',
    )
    // A one-character token has no shorter one but the empty one, which empty-token sends.
    if (secret.length > 1) {
      add(
        'token-too-short',
        'The token without its last character: a prefix comparison would accept it.',
        withHeaders({ [sigHeader]: prefix + secret.slice(0, -1) }),
        'reject',
      )
    }
    add(
      'token-too-long',
      'The token with one character more: a comparison of only the expected length would accept it.',
      withHeaders({ [sigHeader]: `${prefix}${secret}x` }),
      'reject',
    )
  }

  function addSignatureCases(): void {
    const bodyBytes = toBytes(valid.body)
    add(
      'tampered-body',
      'One character of the body changed after signing: the signature no longer matches.',
      { ...valid, body: tamper(valid.body) },
      'reject',
    )
    add(
      'wrong-secret',
      'Signed with another secret of the same kind.',
      sign(payload, { secret: s.generateSecret().signSecret }),
      'reject',
    )
    add(
      'missing-signature-header',
      `No ${sigHeader} header.`,
      withHeaders({ [sigHeader]: undefined }),
      'reject',
    )
    for (const name of s.headers.slice(1)) {
      if (validHeaders[name] === undefined) continue
      add(
        `missing-header-${name}`,
        `No ${name} header.`,
        withHeaders({ [name]: undefined }),
        'reject',
      )
    }
    add(
      'malformed-signature-header',
      `The ${sigHeader} header holds text that is not a signature at all.`,
      withHeaders({ [sigHeader]: 'not-a-signature' }),
      'reject',
    )
    add(
      'empty-signature',
      `The ${sigHeader} header keeps its prefix but the signature itself is empty.`,
      // Stryker disable next-line StringLiteral: every scheme's sign writes its signature header
      withHeaders({ [sigHeader]: emptySignature(validHeaders[sigHeader] ?? '') }),
      'reject',
    )

    if (tolerance !== undefined) addTimestampCases(tolerance)

    add(
      'replayed-message-id',
      'A valid delivery sent twice: the first must be accepted; the second must be rejected or ' +
        'ignored as a duplicate (same message id and body), never processed twice.',
      sign(uniquePayload(payload, 'replay'), { id: `${baseId}_replay` }),
      'reject',
      { sendTwice: true },
    )

    const json = parseJson(bodyBytes)
    if (typeof json === 'object' && json !== null) {
      const pretty = JSON.stringify(json, null, 2)
      if (pretty !== bodyBytes.toString('utf8')) {
        add(
          'json-whitespace-changed',
          'The body re-serialised with other whitespace after signing: a receiver that verifies ' +
            'JSON.stringify(req.body) instead of the raw bytes accepts it.',
          { ...valid, body: pretty },
          'reject',
        )
      }
      const reordered = reorderKeys(json)
      // Reversing two or more keys always changes the text.
      if (reordered !== undefined) {
        add(
          'json-keys-reordered',
          'The body re-serialised with its keys in another order after signing.',
          { ...valid, body: reordered },
          'reject',
        )
      }
      const prettySigned = sign(JSON.stringify(uniquePayload(json, 'pretty'), null, 2), {
        id: `${baseId}_pretty`,
      })
      add(
        'valid-pretty-json',
        'Correctly signed pretty-printed JSON (as Stripe sends it): accepted only by a receiver ' +
          'that verifies the raw bytes rather than a re-serialisation.',
        prettySigned,
        'accept',
      )
    }

    const variants = signatureVariants[s.name]
    // The URL the valid delivery goes to: for Twilio with a JSON body, the one with bodySHA256.
    const input = { headers: validHeaders, body: bodyBytes, secret, url: valid.url ?? url }
    const version = variants?.wrongVersion?.(input)
    if (version) {
      add(
        'wrong-version',
        `The same signature labelled with another scheme version (${describeHeaders(version)}).`,
        withHeaders(version),
        'reject',
      )
    }
    const algorithm = variants?.otherAlgorithm(input)
    if (algorithm) {
      add(
        'other-algorithm',
        `A real signature made with another algorithm (${describeHeaders(algorithm)}): a receiver that ` +
          'lets the header choose the algorithm accepts it.',
        withHeaders(algorithm),
        'reject',
      )
    }
    add(
      'empty-body',
      "An empty body with the valid delivery's signature headers.",
      { ...valid, body: '' },
      'reject',
    )
  }

  function addTimestampCases(tol: number): void {
    // A margin of a few seconds keeps the cases on their side of the edge while they travel.
    const margin = tol >= 10 ? 5 : 1
    // Only where the verifier checks a signed time: for a scheme that signs none (GitHub, given
    // a tolerance) a request "signed long ago" is the valid request again.
    if (!refusedAt(now - tol - margin)) return
    checkedTolerance = tol
    add(
      'timestamp-too-old',
      `Validly signed ${tol + margin} s ago: just past the ${tol} s tolerance.`,
      sign(payload, { timestamp: now - tol - margin }),
      'reject',
    )
    // Only where the provider's own library refuses it: Stripe's accepts future timestamps, so
    // no receiver built on it could pass this case.
    if (refusedAt(now + tol + margin)) {
      add(
        'timestamp-in-future',
        `Validly signed ${tol + margin} s in the future: just past the tolerance on the other side.`,
        sign(payload, { timestamp: now + tol + margin }),
        'reject',
      )
    }
    // Room for the margin on both sides of now - tol (the margin is 5 s only from 10 s up).
    if (tol >= 2) {
      add(
        'timestamp-just-inside',
        `Validly signed ${tol - margin} s ago: inside the ${tol} s tolerance, so accepted.`,
        sign(uniquePayload(payload, 'inside'), {
          timestamp: now - tol + margin,
          id: `${baseId}_inside`,
        }),
        'accept',
      )
    }
  }

  /** Whether the scheme's verifier refuses a request signed at `timestamp` (with fresh keys). */
  function refusedAt(timestamp: number): boolean {
    const probe = s.generateSecret()
    const signed: SignedRequest & { url?: string } = s.sign({
      payload,
      secret: probe.signSecret,
      timestamp,
      id: baseId,
      // Stryker disable next-line ConditionalExpression: sign() reads url: undefined as no url
      ...(url !== undefined ? { url } : {}),
    })
    // Stryker disable next-line OptionalChaining: signed and verified with the scheme's own fresh keys, verify does not throw
    return !safeVerify(signed, probe.verifySecret, signed.url ?? url)?.ok
  }

  function safeVerify(
    signed: SignedRequest,
    key: string,
    at: string | undefined,
  ): { ok: boolean; reason?: VerifyFailureReason } | undefined {
    try {
      return s.verify({
        headers: signed.headers,
        body: signed.body,
        secret: key,
        now,
        // Stryker disable next-line ConditionalExpression: verify() reads tolerance: undefined as the scheme's default
        ...(tolerance !== undefined ? { tolerance } : {}),
        // Stryker disable next-line ConditionalExpression: verify() reads url: undefined as no url
        ...(at !== undefined ? { url: at } : {}),
      })
    } catch {
      // A key the scheme cannot use: no reason to give.
    }
    return undefined
  }

  function withReason(c: BadDelivery): BadDelivery {
    if (c.sendTwice) return { ...c, group: 'idempotency', reason: 'replayed' }
    // Stryker disable next-line ConditionalExpression: these cases are validly signed (no reason either way): this skips verifying them
    if (c.group !== 'signature') return c
    const result = safeVerify(c, verifySecret, c.url ?? url)
    return result && !result.ok && result.reason ? { ...c, reason: result.reason } : c
  }
}

/** Gives a case its non-enumerable `toRequest(url)`. */
function withRequest(c: BadDelivery): BadDelivery {
  Object.defineProperty(c, 'toRequest', {
    enumerable: false,
    value: (url: string) =>
      new Request(c.url ?? url, {
        method: 'POST',
        headers: c.headers,
        body: c.body.length === 0 ? null : c.body,
      }),
  })
  return c
}

/** A text or byte payload repeated to exactly `size` bytes. */
function oversized(payload: string | Uint8Array, size: number): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: Buffer.from(text).toString() and toString('') are the same UTF-8 text
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8')
  return (text || 'x').repeat(Math.ceil(size / Math.max(1, text.length))).slice(0, size)
}

/** A copy of an object payload whose top-level string `id` is made unique, else the payload. */
export function uniquePayload(payload: unknown, suffix: string): Payload {
  if (
    payload !== null &&
    // Stryker disable next-line ConditionalExpression: a string has no string .id either
    typeof payload === 'object' &&
    !Array.isArray(payload) &&
    !(payload instanceof Uint8Array) &&
    typeof (payload as { id?: unknown }).id === 'string'
  ) {
    return { ...(payload as object), id: `${(payload as { id: string }).id}_${suffix}` }
  }
  return payload as Payload
}

/**
 * Changes one letter or digit of the body, keeping JSON valid when it was. In JSON: the last
 * letter or digit inside a string (never of an escape such as `\n`), else the leading digit of the
 * last number (its last digits can vanish in a double's rounding); `true`, `false` and `null`
 * never change, and JSON with nothing to change (`{}`, `[true]`) is wrapped in an array. Other
 * text: its last letter or digit, or an `x` appended when it has none.
 */
function tamper(body: string | Uint8Array<ArrayBuffer>): string | Uint8Array<ArrayBuffer> {
  const bytes = Buffer.from(toBytes(body))
  const json = parseJson(bytes) !== undefined
  const spot = json ? jsonSpot(bytes) : { at: lastLetterOrDigit(bytes), leading: false }
  let out: Buffer
  if (spot.at >= 0) {
    const c = bytes[spot.at]!
    // A number's leading digit never becomes 0 (JSON forbids leading zeros).
    if (spot.leading) bytes[spot.at] = c === 0x39 ? 0x38 : c + 1
    else bytes[spot.at] = c === 0x39 ? 0x30 : c === 0x5a ? 0x41 : c === 0x7a ? 0x61 : c + 1
    out = bytes
  } else if (json) {
    out = Buffer.concat([Buffer.from('['), bytes, Buffer.from(']')])
  } else {
    out = Buffer.concat([bytes, Buffer.from('x')])
  }
  return typeof body === 'string' ? out.toString('utf8') : new Uint8Array(out)
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isLetterOrDigit = (c: number): boolean =>
  isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)

function lastLetterOrDigit(bytes: Buffer): number {
  // Stryker disable next-line ArithmeticOperator: starting past the end reads undefined, which is no letter
  for (let i = bytes.length - 1; i >= 0; i--) if (isLetterOrDigit(bytes[i]!)) return i
  return -1
}

/**
 * Where to change a JSON text: the last letter or digit inside a string, else the leading digit
 * of the last number (`leading`), else nowhere (`at` -1).
 */
function jsonSpot(bytes: Buffer): { at: number; leading: boolean } {
  let inString = false
  let inNumber = false
  let lastInString = -1
  let lastNumber = -1
  // Stryker disable next-line EqualityOperator: reading one past the end gives undefined, which matches nothing
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!
    if (inString) {
      // An escape: \uXXXX is six characters, every other escape two.
      if (c === 0x5c) i += bytes[i + 1] === 0x75 ? 5 : 1
      else if (c === 0x22) inString = false
      else if (isLetterOrDigit(c)) lastInString = i
    } else if (c === 0x22) {
      // (A number is never followed by a quote directly: no need to end it here.)
      inString = true
    } else if (isDigit(c)) {
      if (!inNumber) lastNumber = i
      inNumber = true
    } else {
      // The rest of a number: fraction, exponent and its sign.
      inNumber &&= c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
    }
  }
  // Stryker disable next-line EqualityOperator: index 0 of JSON text is never inside a string (it would be the quote)
  return lastInString >= 0
    ? { at: lastInString, leading: false }
    : { at: lastNumber, leading: true }
}

function changeLastChar(token: string): string {
  const last = token.slice(-1)
  return token.slice(0, -1) + (last === 'a' ? 'b' : 'a')
}

/** The header with its signature text (the longest base64 or hex run) removed. */
function emptySignature(value: string): string {
  // Stryker disable next-line StringLiteral: every built-in signature is a run of 28 or more characters, longer than the mutant's text
  let longest = ''
  for (const m of value.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    if (m[0].length > longest.length) longest = m[0]
  }
  // Stryker disable next-line StringLiteral: reached only for a header with no 16-character run, which no built-in signature lacks
  return longest ? value.replace(longest, '') : ''
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    // Not JSON.
  }
  return undefined
}

/** Compact JSON with every object's keys reversed, or undefined if no object has two keys. */
function reorderKeys(value: unknown): string | undefined {
  let changed = false
  const reverse = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reverse)
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v)
      if (keys.length > 1) changed = true
      return Object.fromEntries(
        keys.reverse().map((k) => [k, reverse((v as Record<string, unknown>)[k])]),
      )
    }
    return v
  }
  const out = JSON.stringify(reverse(value))
  return changed ? out : undefined
}

function describeHeaders(headers: Record<string, string>): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(headers)) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: every built-in variant value is longer than 24 characters
    parts.push(`${k}: ${v.length > 24 ? `${v.slice(0, 21)}...` : v}`)
  }
  // Stryker disable next-line StringLiteral: every built-in variant rewrites one header
  return parts.join('; ')
}
