import { randomUUID } from 'node:crypto'
import { brotliDecompressSync, gunzipSync, inflateSync, inflateRawSync } from 'node:zlib'
import { HookwrightError } from './errors.js'
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
  /** The body decoded (gzip, deflate, br) and read as UTF-8. */
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
  #json: { value: unknown } | undefined

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
    if (this.#text === undefined) this.#text = decodeBody(this).toString('utf8')
    return this.#text
  }

  json<T = unknown>(): T {
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
    return this.#json.value as T
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
    return { ...rest, rawBody: Buffer.from(rawBody).toString('base64'), bodyEncoding: 'base64' }
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

/** The receiver's way in: a `Delivery` that makes its id and header object when first read. */
export function receivedDelivery(request: ReceivedRequest): Delivery {
  return new DeliveryRecord(request, undefined, request.headers, request.rawHeaders)
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

/** The inverse of `delivery.toJSON()`. */
export function deliveryFromJSON(json: DeliveryJSON): Delivery {
  const { bodyEncoding: _encoding, rawBody, ...rest } = json
  return createDelivery({ ...rest, rawBody: new Uint8Array(Buffer.from(rawBody, 'base64')) })
}

function decodeBody(d: DeliveryData): Buffer {
  const raw = Buffer.from(d.rawBody.buffer, d.rawBody.byteOffset, d.rawBody.byteLength)
  const header = d.headers['content-encoding']
  const encodings = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e && e !== 'identity')
  let out = raw
  try {
    // Encodings apply in the order listed, so they are undone last to first.
    for (const encoding of encodings.reverse()) {
      if (encoding === 'gzip' || encoding === 'x-gzip') out = gunzipSync(out)
      else if (encoding === 'br') out = brotliDecompressSync(out)
      else if (encoding === 'deflate') out = inflateDeflate(out)
    }
  } catch (error) {
    throw new HookwrightError(
      'HOOKWRIGHT_INVALID_BODY',
      `Delivery ${d.id} says Content-Encoding: ${encodings.join(', ')} but its body does not decode as that.`,
      { cause: error },
    )
  }
  return out
}

// "deflate" is meant to be zlib-wrapped, but some senders send raw deflate.
function inflateDeflate(data: Buffer): Buffer {
  try {
    return inflateSync(data)
  } catch {
    return inflateRawSync(data)
  }
}

/**
 * One line for messages and logs: `#2 POST /h/abc?x=1 → 401 bad_signature, 1.2 KB: {"type":…}`.
 * Used by waitFor timeouts, assertion failures and the CLI so they all read alike. Header
 * values are not shown, so no signature or token is ever printed.
 */
export function summarizeDelivery(d: DeliveryData, { bodyChars = 80 } = {}): string {
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
    try {
      text = createDelivery(d).text()
    } catch {
      text = '(undecodable body)'
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
