import { randomUUID } from 'node:crypto'
import type { Transform } from 'node:stream'
import {
  brotliDecompressSync,
  constants as zlibConstants,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib'
import { HookwrightError, invalidOption } from './errors.js'
import type { VerifyResult } from './schemes/types.js'

/** What the harness answered (or did) for a delivery. */
export interface DeliveryResponse {
  status: number
  headers: Record<string, string>
  /** How long the answer was held back on purpose. */
  delayMs: number
  /** `respond` for a normal answer; `reset` destroyed the socket; `hang` never answered. */
  action: 'respond' | 'reset' | 'hang'
}

/** The fields of a delivery, as plain data. */
export interface DeliveryData {
  /** Unique per delivery. */
  id: string
  /** The endpoint id it reached, or null for an unknown path (recorded as a 404). */
  endpoint: string | null
  /** 1 for the first request to this endpoint, 2 for the next… */
  attempt: number
  /** Epoch milliseconds when the request line arrived. */
  receivedAt: number
  method: string
  /** The path without the query string. */
  path: string
  query: Record<string, string | string[]>
  /** Lower-case names; repeated headers keep every value. */
  headers: Record<string, string | string[]>
  /** The body exactly as it came off the wire (still compressed if it was sent compressed). */
  rawBody: Uint8Array
  verification?: VerifyResult
  response: DeliveryResponse
  /** Set when the request did not complete normally: `body_too_large`, `aborted`, … */
  error?: string
}

/**
 * One request that reached the harness, by any route: the receiver, the msw interceptor or a
 * remote receiver. The raw bytes are kept as they arrived, since signatures are over bytes.
 *
 * @example
 * const [d] = await ep.waitFor()
 * d.json<{ type: string }>().type   // 'invoice.paid'
 * d.header('stripe-signature')
 */
export interface Delivery extends DeliveryData {
  /**
   * The body decoded (gzip, deflate, br) and read as UTF-8. Decoding stops at the endpoint's
   * `maxBodyBytes` (at most 64 MiB): a body that inflates past that throws
   * `HOOKWRIGHT_INVALID_BODY`, so a few compressed bytes cannot fill memory.
   */
  text(): string
  /** `text()` parsed as JSON, once; throws `HOOKWRIGHT_INVALID_BODY` if it is not JSON. */
  json<T = unknown>(): T
  /** The body as `application/x-www-form-urlencoded` fields (Slack commands, Twilio). */
  form(): Record<string, string | string[]>
  /** A header's value by case-insensitive name; repeated headers joined by ", ". */
  header(name: string): string | undefined
  /** Plain JSON (body as base64), for the remote API, exports and fixtures. */
  toJSON(): DeliveryJSON
}

/** A delivery over the wire: `rawBody` as base64. */
export interface DeliveryJSON extends Omit<DeliveryData, 'rawBody'> {
  rawBody: string
  bodyEncoding: 'base64'
  /**
   * How far `text()` decodes the body, when that is not the default 10 MiB: the `maxBodyBytes`
   * of the endpoint that received it. Kept so that a copy (a remote receiver's, a saved one)
   * decodes as far as the original.
   */
  maxDecodedBytes?: number
}

/**
 * A request as the receiver read it: the fields that cost nothing to keep. The id and the
 * header object are made on first use, since most deliveries in a load are never looked at
 * and every object kept per delivery is one more for the garbage collector to carry.
 */
export interface ReceivedRequest extends Omit<DeliveryData, 'id' | 'headers'> {
  /** `IncomingMessage.rawHeaders`: names as sent, alternating with their values. */
  rawHeaders: readonly string[]
  /** The header object, when it was already needed (to verify a signature). */
  headers: Record<string, string | string[]> | undefined
}

class DeliveryRecord implements Delivery {
  endpoint: string | null
  attempt: number
  receivedAt: number
  method: string
  path: string
  query: Record<string, string | string[]>
  rawBody: Uint8Array
  verification?: VerifyResult
  response: DeliveryResponse
  error?: string
  #id: string | undefined
  #headers: Record<string, string | string[]> | undefined
  #rawHeaders: string | readonly string[] | undefined
  #text: string | undefined
  /** The parsed body, or why the body could not be decoded (kept so it is not decoded again). */
  #json: { value: unknown } | { error: unknown } | undefined

  // Fields one by one (not Object.assign): the receiver makes one of these per request.
  constructor(
    d: Omit<DeliveryData, 'id' | 'headers'>,
    id: string | undefined,
    headers: Record<string, string | string[]> | undefined,
    rawHeaders: readonly string[] | undefined,
  ) {
    this.#id = id
    this.endpoint = d.endpoint
    this.attempt = d.attempt
    this.receivedAt = d.receivedAt
    this.method = d.method
    this.path = d.path
    this.query = d.query
    this.#headers = headers
    // Once the header object exists (made to verify a signature), the raw pairs would be a
    // second copy of every header: keep one.
    this.#rawHeaders = headers === undefined && rawHeaders ? packHeaders(rawHeaders) : undefined
    this.rawBody = d.rawBody
    if (d.verification !== undefined) this.verification = d.verification
    this.response = d.response
    if (d.error !== undefined) this.error = d.error
  }

  get id(): string {
    return (this.#id ??= randomUUID())
  }

  set id(id: string) {
    this.#id = id
  }

  get headers(): Record<string, string | string[]> {
    if (this.#headers === undefined) {
      this.#headers = collectHeaders(unpackHeaders(this.#rawHeaders ?? []))
      this.#rawHeaders = undefined
    }
    return this.#headers
  }

  set headers(headers: Record<string, string | string[]>) {
    this.#headers = headers
    this.#rawHeaders = undefined
  }

  text(): string {
    if (this.#text === undefined) {
      // A body that failed to decode fails the same way next time, without inflating it again.
      if (this.#json !== undefined && 'error' in this.#json) throw this.#json.error
      try {
        this.#text = decodeBody(this, decodeLimits.get(this) ?? DEFAULT_DECODED_BYTES).toString(
          'utf8',
        )
      } catch (error) {
        this.#json = { error }
        throw error
      }
    }
    return this.#text
  }

  json<T = unknown>(): T {
    if (this.#json !== undefined && 'error' in this.#json) throw this.#json.error
    if (this.#json === undefined) {
      const text = this.text()
      try {
        this.#json = { value: JSON.parse(text) }
      } catch (error) {
        const start = text.length > 60 ? `${text.slice(0, 57)}...` : text
        throw new HookwrightError(
          'HOOKWRIGHT_INVALID_BODY',
          `Delivery ${this.id} (${this.method} ${this.path}) has a body that is not JSON: ${JSON.stringify(start)}`,
          { cause: error },
        )
      }
    }
    return (this.#json as { value: unknown }).value as T
  }

  form(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {}
    for (const [key, value] of new URLSearchParams(this.text())) {
      const prev = out[key]
      out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
    }
    return out
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()]
    return Array.isArray(value) ? value.join(', ') : value
  }

  // id and headers are computed on first read (they are most of a delivery's garbage under load),
  // so they live on the prototype; show them anyway when a delivery is logged.
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return `Delivery ${inspect(toData(this), options)}`
  }

  toJSON(): DeliveryJSON {
    const { rawBody, ...rest } = toData(this)
    const json: DeliveryJSON = {
      ...rest,
      rawBody: Buffer.from(rawBody).toString('base64'),
      bodyEncoding: 'base64',
    }
    const limit = decodeLimits.get(this)
    if (limit !== undefined) json.maxDecodedBytes = limit
    return json
  }
}

function toData(d: DeliveryData): DeliveryData {
  const data: DeliveryData = {
    id: d.id,
    endpoint: d.endpoint,
    attempt: d.attempt,
    receivedAt: d.receivedAt,
    method: d.method,
    path: d.path,
    query: d.query,
    headers: d.headers,
    rawBody: d.rawBody,
    response: d.response,
  }
  if (d.verification !== undefined) data.verification = d.verification
  if (d.error !== undefined) data.error = d.error
  return data
}

/** Makes a `Delivery` from its fields. Every route into the harness goes through here. */
export function createDelivery(data: DeliveryData): Delivery {
  return new DeliveryRecord(data, data.id, data.headers, undefined)
}

/**
 * The receiver's way in: a `Delivery` that makes its id and header object when first read.
 * `maxDecodedBytes` is the endpoint's `maxBodyBytes`: `text()` decodes no further than that.
 */
export function receivedDelivery(request: ReceivedRequest, maxDecodedBytes?: number): Delivery {
  const delivery = new DeliveryRecord(request, undefined, request.headers, request.rawHeaders)
  // Kept beside the delivery rather than in it, and only when it is not the default limit:
  // most deliveries then carry nothing more.
  if (maxDecodedBytes !== undefined && maxDecodedBytes !== DEFAULT_DECODED_BYTES) {
    decodeLimits.set(delivery, Math.min(maxDecodedBytes, MAX_DECODED_BYTES))
  }
  return delivery
}

// One string rather than the array of names and values: a kept delivery then costs the garbage
// collector one object for its headers instead of two per header. The HTTP parser refuses a
// line feed in a header, so it can separate them; the array is kept if one ever holds one.
function packHeaders(raw: readonly string[]): string | readonly string[] {
  for (const part of raw) if (part.includes('\n')) return raw
  return raw.join('\n')
}

function unpackHeaders(packed: string | readonly string[]): readonly string[] {
  if (typeof packed !== 'string') return packed
  return packed.length === 0 ? [] : packed.split('\n')
}

/** Lower-case names; a repeated header keeps every value, in order. */
export function collectHeaders(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (let i = 0; i < raw.length; i += 2) addField(out, raw[i]!.toLowerCase(), raw[i + 1]!)
  return out
}

/**
 * Adds a field to a header or query object; a repeated name keeps every value, in order.
 * Plain objects stay fast for V8 (a null prototype would not); Object.hasOwn and
 * defineProperty keep a field named `__proto__` or `constructor` an ordinary field.
 */
export function addField(
  out: Record<string, string | string[]>,
  name: string,
  value: string,
): void {
  if (!Object.hasOwn(out, name)) {
    if (name === '__proto__') {
      Object.defineProperty(out, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      out[name] = value
    }
    return
  }
  const prev = out[name]!
  if (Array.isArray(prev)) prev.push(value)
  else out[name] = [prev, value]
}

/** The inverse of `delivery.toJSON()`, its decoding limit (`maxDecodedBytes`) included. */
export function deliveryFromJSON(json: DeliveryJSON): Delivery {
  const { bodyEncoding: _encoding, rawBody, maxDecodedBytes, ...rest } = json
  const delivery = createDelivery({
    ...rest,
    rawBody: new Uint8Array(Buffer.from(rawBody, 'base64')),
  })
  if (maxDecodedBytes !== undefined) {
    if (!Number.isInteger(maxDecodedBytes) || maxDecodedBytes < 1) {
      invalidOption('maxDecodedBytes', 'a whole number of bytes >= 1', maxDecodedBytes)
    }
    decodeLimits.set(delivery, Math.min(maxDecodedBytes, MAX_DECODED_BYTES))
  }
  return delivery
}

/** The most a body is ever decoded to (gzip, deflate, br), whatever its endpoint allows. */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024
/**
 * The receiver's default `maxBodyBytes`, and so the decoding limit of most deliveries (and of
 * those made by `createDelivery`, which know no endpoint).
 */
const DEFAULT_DECODED_BYTES = 10 * 1024 * 1024
/** Decoding limits that differ from `DEFAULT_DECODED_BYTES`, by delivery (see receivedDelivery). */
const decodeLimits = new WeakMap<object, number>()

function contentEncodings(d: DeliveryData): string[] {
  const header = d.headers['content-encoding']
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e && e !== 'identity')
}

/** Whether an error is zlib refusing to produce more than `maxOutputLength`. */
function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE'
}

function decodeBody(d: DeliveryData, limit: number): Buffer {
  const raw = Buffer.from(d.rawBody.buffer, d.rawBody.byteOffset, d.rawBody.byteLength)
  const encodings = contentEncodings(d)
  let out = raw
  try {
    // Encodings apply in the order listed, so they are undone last to first. zlib stops with
    // ERR_BUFFER_TOO_LARGE as soon as the output passes the limit: nothing larger is allocated.
    for (const encoding of [...encodings].reverse()) out = inflate(encoding, out, limit)
  } catch (error) {
    if (isTooLarge(error)) {
      throw new HookwrightError(
        'HOOKWRIGHT_INVALID_BODY',
        `Delivery ${d.id} (${d.method} ${d.path}): the body inflates past ${limit} bytes ` +
          `(Content-Encoding: ${encodings.join(', ')}; ${d.rawBody.byteLength} bytes as sent), ` +
          `the endpoint's maxBodyBytes; read \`rawBody\` for the bytes as they arrived.`,
        { cause: error },
      )
    }
    throw new HookwrightError(
      'HOOKWRIGHT_INVALID_BODY',
      `Delivery ${d.id} says Content-Encoding: ${encodings.join(', ')} but its body does not decode as that.`,
      { cause: error },
    )
  }
  return out
}

/** Undoes one content coding (unknown ones are left as they are), producing at most `limit` bytes. */
function inflate(encoding: string, data: Buffer, limit: number, options: ZlibOptions = {}): Buffer {
  const opts = { ...options, maxOutputLength: Math.max(limit, 1) }
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(data, opts)
  if (encoding === 'br') {
    const flush = options.finishFlush === undefined ? {} : { finishFlush: BROTLI_FLUSH }
    return brotliDecompressSync(data, { maxOutputLength: opts.maxOutputLength, ...flush })
  }
  if (encoding === 'deflate') {
    // "deflate" is meant to be zlib-wrapped, but some senders send raw deflate.
    try {
      return inflateSync(data, opts)
    } catch (error) {
      if (isTooLarge(error)) throw error
      return inflateRawSync(data, opts)
    }
  }
  return data
}

const BROTLI_FLUSH = zlibConstants.BROTLI_OPERATION_FLUSH

/**
 * The first bytes of the decoded body, at most `want` of them, inflating no more than that
 * (plus one zlib chunk): what a one-line summary shows. The whole body is tried first; if it
 * decodes past `want`, the longest prefix of the sent bytes that decodes within `want` is found
 * by bisection, each try stopping as soon as its output passes `want`. Brotli is not inflated
 * here: its decoder fills a window of up to 16 MiB before it yields a byte, which a bomb makes
 * cost a tenth of a second per try (`peekBody` does it off the main thread).
 */
function decodePrefix(d: DeliveryData, want: number): Buffer | string {
  const raw = Buffer.from(d.rawBody.buffer, d.rawBody.byteOffset, d.rawBody.byteLength)
  // A sync flush decodes a truncated input as far as it goes, and an earlier stage's output
  // here may be truncated.
  const flushed = { finishFlush: zlibConstants.Z_SYNC_FLUSH }
  let out = raw
  for (const encoding of contentEncodings(d).reverse()) {
    if (encoding === 'br') return '(br-encoded body, not inflated for a summary)'
    const input = out
    try {
      out = inflate(encoding, input, want, flushed)
      continue
    } catch (error) {
      if (!isTooLarge(error)) throw error
    }
    // More input never gives less output, so the longest prefix within `want` is bisected.
    let lo = 0
    let hi = input.byteLength
    out = Buffer.alloc(0)
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1
      try {
        out = inflate(encoding, input.subarray(0, mid), want, flushed)
        lo = mid
      } catch {
        hi = mid
      }
    }
  }
  return out.byteLength > want ? out.subarray(0, want) : out
}

/** What `peekBody` found: the start of the decoded body and whether it inflates past a limit. */
export interface BodyPeek {
  /** The first bytes of the decoded body (at most the `want` asked for). */
  prefix: Uint8Array
  /** Set to the limit when the decoded body is longer than it. */
  inflatesPast?: number
  /** Set when the body does not decode as its Content-Encoding says. */
  undecodable?: true
}

/**
 * Decodes a delivery's body in zlib's thread pool, keeping only its first `want` bytes and
 * stopping once it passes `limit`: the main thread never inflates, and memory never holds more
 * than `want` plus a zlib chunk. `hookwright listen` prints its summaries from this, so a
 * compressed bomb costs it nothing while other senders are answered.
 *
 * @example
 * const peek = await peekBody(delivery, { want: 320, limit: 10 * 1024 * 1024 })
 * if (peek.inflatesPast) console.log(`(body inflates past ${peek.inflatesPast})`)
 */
export async function peekBody(
  d: DeliveryData,
  { want, limit }: { want: number; limit: number },
): Promise<BodyPeek> {
  const raw = Buffer.from(d.rawBody.buffer, d.rawBody.byteOffset, d.rawBody.byteLength)
  const stages = contentEncodings(d)
    .reverse()
    .filter((e) => DECODERS.has(e))
  if (stages.length === 0) return { prefix: raw.subarray(0, want) }
  const streams = stages.map((encoding) => decoderFor(encoding, raw))
  for (let i = 0; i + 1 < streams.length; i++) streams[i]!.pipe(streams[i + 1]!)
  const last = streams.at(-1)!
  const kept: Buffer[] = []
  let keptBytes = 0
  let total = 0
  return new Promise<BodyPeek>((resolvePeek) => {
    let done = false
    const finish = (peek: Omit<BodyPeek, 'prefix'>): void => {
      if (done) return
      done = true
      for (const stream of streams) stream.destroy()
      resolvePeek({ prefix: Buffer.concat(kept, keptBytes), ...peek })
    }
    last.on('data', (chunk: Buffer) => {
      total += chunk.byteLength
      if (keptBytes < want) {
        const part = chunk.subarray(0, want - keptBytes)
        kept.push(Buffer.from(part))
        keptBytes += part.byteLength
      }
      if (total > limit) finish({ inflatesPast: limit })
    })
    last.on('end', () => finish({}))
    for (const stream of streams) stream.on('error', () => finish({ undecodable: true }))
    streams[0]!.end(raw)
  })
}

const DECODERS = new Set(['gzip', 'x-gzip', 'deflate', 'br'])
const STREAM_CHUNK = 64 * 1024

function decoderFor(encoding: string, raw: Buffer): Transform {
  const options = { chunkSize: STREAM_CHUNK }
  if (encoding === 'br') return createBrotliDecompress(options)
  if (encoding === 'deflate') {
    // zlib-wrapped deflate starts with a header whose 16 bits are a multiple of 31.
    const wrapped = raw.byteLength >= 2 && (raw[0]! & 0x0f) === 8 && raw.readUInt16BE(0) % 31 === 0
    return wrapped ? createInflate(options) : createInflateRaw(options)
  }
  return createGunzip(options)
}

/**
 * One line for messages and logs: `#2 POST /h/abc?x=1 → 401 bad_signature, 1.2 KB: {"type":…}`.
 * Used by waitFor timeouts, assertion failures and the CLI so they all read alike. Header
 * values are not shown, so no signature or token is ever printed. The body preview inflates
 * only the start of a compressed body; pass `peek` (from `peekBody`) to show what was found
 * off the main thread instead, such as `(body inflates past 10.0 MB)`.
 */
export function summarizeDelivery(
  d: DeliveryData,
  { bodyChars = 80, peek }: { bodyChars?: number; peek?: BodyPeek } = {},
): string {
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(d.query)) {
    for (const value of Array.isArray(v) ? v : [v]) query.append(k, value)
  }
  const target = query.size > 0 ? `${d.path}?${query}` : d.path
  const outcome =
    d.response.action === 'respond' ? String(d.response.status) : d.response.action.toUpperCase()
  const notes = [
    d.verification && !d.verification.ok ? d.verification.reason : undefined,
    d.verification?.ok ? 'signature ok' : undefined,
    d.error,
  ].filter(Boolean)
  let preview = ''
  if (d.rawBody.byteLength > 0 && bodyChars > 0) {
    let text: string
    if (peek !== undefined) {
      text = peek.undecodable
        ? '(undecodable body)'
        : peek.inflatesPast !== undefined
          ? `(body inflates past ${formatBytes(peek.inflatesPast)})`
          : Buffer.from(peek.prefix).toString('utf8')
    } else {
      try {
        // Only the start is inflated: a summary never pays for (or holds) a whole large body.
        text = decodePrefix(d, bodyChars * 4 + 4).toString('utf8')
      } catch {
        text = '(undecodable body)'
      }
    }
    text = text.replace(/\s+/g, ' ')
    preview = `: ${text.length > bodyChars ? `${text.slice(0, bodyChars - 1)}…` : text}`
  }
  return (
    `#${d.attempt} ${d.method} ${target} → ${outcome}` +
    (notes.length ? ` ${notes.join(', ')}` : '') +
    `, ${formatBytes(d.rawBody.byteLength)}${preview}`
  )
}

/** `512 B`, `1.2 KB`, `3.4 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
