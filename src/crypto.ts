import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** The digests the HMAC schemes use. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512'
export type Encoding = 'hex' | 'base64' | 'base64url'

const encoder = new TextEncoder()

/** UTF-8 bytes of a string, or the bytes themselves (no copy) as a Buffer view. */
export function toBytes(data: string | Uint8Array): Buffer {
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
  return safeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
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
