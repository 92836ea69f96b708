import { createHash, createHmac, createSecretKey, hash, timingSafeEqual } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/** The digests the HMAC schemes use. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512'
export type Encoding = 'hex' | 'base64' | 'base64url'

const encoder = new TextEncoder()

/** UTF-8 bytes of a string, or the bytes themselves (no copy) as a Buffer view. */
export function toBytes(data: string | Uint8Array): Buffer {
  // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/** UTF-8 encode without going through Buffer (used where a plain Uint8Array is wanted). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** HMAC over the concatenation of `parts` (no intermediate copy of the body). */
export function hmac(
  algorithm: HmacAlgorithm,
  key: string | Uint8Array,
  ...parts: Array<string | Uint8Array>
): Buffer {
  const mac = createHmac(algorithm, key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}

// Secrets as KeyObjects, by their text: verify runs per request with the same few secrets, and
// an Hmac made from a KeyObject skips turning the text into key bytes each time (~6% of a 2 KiB
// verify). Bounded, and holds nothing the caller does not already hold.
const secretKeys = new Map<string, KeyObject>()

/** The key to make an Hmac with: a non-empty text secret as its cached KeyObject. */
export function macKey(key: string | Uint8Array | KeyObject): string | Uint8Array | KeyObject {
  if (typeof key !== 'string' || key.length === 0) return key
  let secret = secretKeys.get(key)
  if (secret === undefined) {
    if (secretKeys.size >= 64) secretKeys.clear()
    secret = createSecretKey(Buffer.from(key, 'utf8'))
    secretKeys.set(key, secret)
  }
  return secret
}

/**
 * HMAC over `head` then `body`, as text in `encoding`: the form a signature header carries.
 * Asking the digest for text skips the Buffer `digest()` allocates, which costs more than the
 * HMAC's own setup on small bodies; verify runs per request, so this is the hot path.
 */
export function hmacText(
  algorithm: HmacAlgorithm,
  key: string | Uint8Array | KeyObject,
  encoding: Encoding,
  head: string | Uint8Array,
  body?: Uint8Array,
): string {
  const mac = createHmac(algorithm, macKey(key)).update(head)
  if (body !== undefined) mac.update(body)
  return mac.digest(encoding)
}

/**
 * Plain digest of bytes as text, e.g. Twilio's `bodySHA256` (hex). The one-shot `crypto.hash`
 * (Node >= 20.12) skips the Hash object, a third of the cost for a small body.
 */
export function digestText(
  algorithm: HmacAlgorithm,
  data: string | Uint8Array,
  encoding: Encoding,
): string {
  return hash(algorithm, data, encoding)
}

/** Plain digest of bytes, e.g. Twilio's `bodySHA256`. */
export function digest(algorithm: HmacAlgorithm, data: string | Uint8Array): Buffer {
  return createHash(algorithm).update(data).digest()
}

/**
 * Constant-time equality of two byte strings. Unequal lengths return false after the same
 * amount of work as an equal-length comparison of `a`, so the time says nothing about where
 * the inputs differ (only the length, which every scheme publishes anyway).
 */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    timingSafeEqual(a, a)
    return false
  }
  return timingSafeEqual(a, b)
}

/** Constant-time equality of two strings compared as UTF-8 bytes. */
export function safeEqualString(a: string, b: string): boolean {
  // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
  return safeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Constant-time equality of a signature we computed (`expected`: hex or base64 text, so ASCII)
 * and one received as bytes. ASCII is the same bytes in latin1 and UTF-8, and latin1 is the
 * cheaper encoder. Encode received text as UTF-8 (`Buffer.from(text, 'utf8')`), never latin1,
 * so that a non-ASCII character cannot collapse to the byte of an ASCII one and alias it.
 */
export function safeEqualText(expected: string, candidate: Uint8Array): boolean {
  // Stryker disable next-line StringLiteral: `expected` is ASCII, the same bytes in latin1 and UTF-8
  return safeEqual(Buffer.from(expected, 'latin1'), candidate)
}

/**
 * True if any of `candidates` (received signatures as bytes) equals `expected` (our ASCII
 * signature text). Every candidate is compared (no early exit), so the timing does not say
 * which one matched.
 */
export function safeIncludesText(expected: string, candidates: readonly Uint8Array[]): boolean {
  // Stryker disable next-line StringLiteral: `expected` is ASCII, the same bytes in latin1 and UTF-8
  const bytes = Buffer.from(expected, 'latin1')
  let found = false
  for (let i = 0; i < candidates.length; i++) {
    if (safeEqual(bytes, candidates[i]!)) found = true
  }
  return found
}

/**
 * Which secret signed the request, for a signed content given as `parts` (text and the body, in
 * order): the index of the first of `secrets` whose HMAC over them, as `encoding` text, equals
 * `received` (the signature from the header, as UTF-8 bytes); -1 if none. As `matchHmac`, every
 * secret is compared (no early exit), and the digest is asked for as text, with no Buffer.
 */
export function matchHmacParts(
  algorithm: HmacAlgorithm,
  encoding: Encoding,
  secrets: readonly string[],
  received: Uint8Array,
  parts: readonly (string | Uint8Array)[],
): number {
  let matched = -1
  for (let index = 0; index < secrets.length; index++) {
    const mac = createHmac(algorithm, macKey(secrets[index]!))
    for (let i = 0; i < parts.length; i++) mac.update(parts[i]!)
    if (safeEqualText(mac.digest(encoding), received) && matched === -1) matched = index
  }
  return matched
}

/**
 * Which secret signed the request: the index of the first of `secrets` whose HMAC over `head`
 * then `body`, as `encoding` text, equals one of `received` (signatures from the header, as
 * UTF-8 bytes); -1 if none. Every secret and signature is compared (no early exit), so the
 * timing does not say which secret or which signature matched.
 */
export function matchHmac(
  algorithm: HmacAlgorithm,
  encoding: Encoding,
  secrets: readonly string[],
  received: Uint8Array | readonly Uint8Array[],
  head: string | Uint8Array,
  body?: Uint8Array,
): number {
  let matched = -1
  for (let index = 0; index < secrets.length; index++) {
    const expected = hmacText(algorithm, secrets[index]!, encoding, head, body)
    const equal =
      received instanceof Uint8Array
        ? safeEqualText(expected, received)
        : safeIncludesText(expected, received)
    if (equal && matched === -1) matched = index
  }
  return matched
}

/**
 * True if `candidate` equals any of `expected`. Every pair is compared (no early exit), so the
 * position of the matching secret or signature does not show in the timing.
 */
export function safeIncludes(expected: readonly Uint8Array[], candidate: Uint8Array): number {
  let found = -1
  for (let i = 0; i < expected.length; i++) {
    if (safeEqual(expected[i]!, candidate) && found === -1) found = i
  }
  return found
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64URL = /^[A-Za-z0-9_-]*$/
const HEX = /^(?:[0-9a-fA-F]{2})*$/

/**
 * Strict decoding: Node's Buffer.from silently skips bad characters, which would let a
 * malformed signature decode to something that happens to be compared. Returns undefined on
 * anything that is not canonical text in the encoding.
 */
export function decodeStrict(text: string, encoding: Encoding): Buffer | undefined {
  const ok =
    encoding === 'hex'
      ? HEX.test(text)
      : encoding === 'base64'
        ? BASE64.test(text)
        : BASE64URL.test(text) && text.length % 4 !== 1
  return ok ? Buffer.from(text, encoding) : undefined
}

/** Encode bytes as text in the given encoding. */
export function encode(bytes: Uint8Array, encoding: Encoding): string {
  return toBytes(bytes).toString(encoding)
}
