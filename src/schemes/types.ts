/** What a scheme signs: an object (sent as compact JSON), a string, or raw bytes. */
export type Payload = string | Uint8Array | object

/**
 * Request headers in any of the shapes a handler meets them: a plain object, a WHATWG
 * `Headers`, Node's `IncomingHttpHeaders` (array values), or `[name, value]` pairs.
 * Names are matched case-insensitively.
 */
export type HeadersLike =
  | Headers
  | Record<string, string | readonly string[] | number | undefined>
  | Iterable<readonly [string, string]>

/** A request body exactly as it came off the wire. */
export type BodyLike = string | Uint8Array | ArrayBuffer

/** A time as a `Date` or as Unix seconds (the unit providers put in their headers). */
export type TimeLike = Date | number

export interface SignOptions {
  /** The event to sign. Objects are serialised with `JSON.stringify` once, and those bytes are signed. */
  payload: Payload
  /** The signing secret (for asymmetric schemes, the private key). */
  secret: string
  /** When the delivery is signed; defaults to now. */
  timestamp?: TimeLike
  /** Message id, for schemes that sign one (Standard Webhooks); defaults to a fresh one. */
  id?: string
  /** The full request URL, for schemes that sign it (Twilio). The sender passes it. */
  url?: string
}

export interface VerifyOptions {
  headers: HeadersLike
  /** The raw request body, byte-exact. A re-serialised JSON object will not verify. */
  body: BodyLike
  /** The secret (for asymmetric schemes, the public key). */
  secret?: string
  /** Several secrets during a rotation: any one may match. */
  secrets?: readonly string[]
  /** Seconds a timestamp may be away from `now`; defaults to the provider's official library. */
  tolerance?: number
  /** The time to check timestamps against; defaults to `Date.now()` (fake timers apply). */
  now?: TimeLike
  /** The full request URL, for schemes that sign it (Twilio). The receiver passes it. */
  url?: string
}

/** A signed request, ready for `fetch(url, { method: 'POST', headers, body })`. */
export interface SignedRequest {
  headers: Record<string, string>
  /** The exact bytes that were signed: a string for string and object payloads, else bytes. */
  body: string | Uint8Array<ArrayBuffer>
  /** Where to send it, when the scheme changes the URL (Twilio adds `bodySHA256` for JSON). */
  url?: string
}

/**
 * Why verification failed. A closed union: every scheme returns one of these.
 * - `missing_header`: a header the scheme needs is absent or empty.
 * - `malformed_header`: a header is present but cannot be parsed (no `t=`, non-numeric timestamp…).
 * - `bad_signature`: the header parses but no signature matches any secret.
 * - `timestamp_too_old` / `timestamp_in_future`: outside `tolerance` of `now`.
 * - `missing_secret`: every entry of `secrets` is empty (unset environment variables during a
 *   rotation, say). A single `secret` that is empty or only whitespace throws instead.
 * - `unsupported_version`: only signatures of a version or algorithm this verifier does not accept.
 */
export type VerifyFailureReason =
  | 'missing_header'
  | 'malformed_header'
  | 'bad_signature'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'missing_secret'
  | 'unsupported_version'

/**
 * Every `VerifyFailureReason`, for exhaustive tests and for mapping reasons to responses.
 *
 * @example
 * it.each(verifyFailureReasons)('%s answers 401', (reason) => …)
 */
export const verifyFailureReasons: readonly VerifyFailureReason[] = [
  'missing_header',
  'malformed_header',
  'bad_signature',
  'timestamp_too_old',
  'timestamp_in_future',
  'missing_secret',
  'unsupported_version',
]

export interface VerifyOk {
  ok: true
  scheme: string
  /** Which of the given secrets matched (0 for a single `secret`). */
  secretIndex: number
  /** The signed timestamp in Unix seconds, for timestamped schemes. */
  timestamp?: number
  /** The message id, for schemes that carry one. */
  id?: string
}

export interface VerifyFailure {
  ok: false
  scheme: string
  reason: VerifyFailureReason
  /** A sentence for people; never contains a secret. */
  message: string
}

export type VerifyResult = VerifyOk | VerifyFailure

/**
 * A provider's signature scheme. Every scheme has this shape, so the receiver, the sender,
 * the attack generator and the CLI treat them alike.
 */
export interface Scheme<
  S extends SignOptions = SignOptions,
  V extends VerifyOptions = VerifyOptions,
> {
  /** The registry name: `stripe`, `github`, `standardWebhooks`, … */
  readonly name: string
  /** Lower-case names of the headers this scheme writes and reads; the signature header first. */
  readonly headers: readonly string[]
  /** Default timestamp tolerance in seconds, or undefined when the scheme signs no timestamp. */
  readonly tolerance: number | undefined
  /**
   * A fresh random secret in the provider's format. For asymmetric schemes (Ed25519, ECDSA)
   * `signSecret` is the private key and `verifySecret` the public key; otherwise they are equal.
   */
  generateSecret(): { signSecret: string; verifySecret: string }
  /** Sign a payload: returns the headers to send and the exact body that was signed. */
  sign(options: S): SignedRequest
  /** Check a request. Never throws on hostile input; throws only on misuse (no secret, bad option). */
  verify(options: V): VerifyResult
  /** `verify`, throwing a `WebhookVerificationError` (with `.reason`) when it fails. */
  verifyOrThrow(options: V): VerifyOk
}

/** Any scheme, whatever its extra options. */
export type AnyScheme = Scheme<any, any>
