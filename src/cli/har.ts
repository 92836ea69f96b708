import type { DeliveryJSON } from '../delivery.js'
import { isPlainObject } from '../fixtures/merge.js'
import { UsageError } from './io.js'

/** A captured request, whatever file it came from. */
export interface CapturedRequest {
  /** The delivery id, or `entry N` for HAR entries that have none. */
  id: string
  method: string
  /** Path and query as received. */
  target: string
  headers: Record<string, string | string[]>
  body: Uint8Array
  receivedAt?: number
}

interface HarNameValue {
  name: string
  value: string
}

const pairs = (record: Record<string, string | string[]>): HarNameValue[] =>
  Object.entries(record).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })),
  )

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Deliveries as a HAR 1.2 log (what browser devtools and proxies import). Bodies that are not
 * UTF-8 go as base64 with `encoding: "base64"`; hookwright's own fields ride in `_hookwright`.
 */
export function toHar(
  deliveries: readonly DeliveryJSON[],
  origin: string,
  version: string,
): object {
  return {
    log: {
      version: '1.2',
      creator: { name: 'hookwright', version },
      entries: deliveries.map((d) => {
        const bytes = Buffer.from(d.rawBody, 'base64')
        const query = pairs(d.query)
        const search = new URLSearchParams(query.map((q) => [q.name, q.value])).toString()
        let text: string | undefined
        try {
          text = utf8.decode(bytes)
        } catch {
          text = undefined
        }
        const type = d.headers['content-type']
        return {
          startedDateTime: new Date(d.receivedAt).toISOString(),
          time: d.response.delayMs,
          request: {
            method: d.method,
            url: `${origin}${d.path}${search ? `?${search}` : ''}`,
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: pairs(d.headers),
            queryString: query,
            ...(bytes.byteLength > 0
              ? {
                  postData: {
                    mimeType: (Array.isArray(type) ? type[0] : type) ?? '',
                    ...(text === undefined ? { text: d.rawBody, encoding: 'base64' } : { text }),
                  },
                }
              : {}),
            headersSize: -1,
            bodySize: bytes.byteLength,
          },
          response: {
            status: d.response.status,
            statusText: '',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: pairs(d.response.headers),
            content: { size: -1, mimeType: d.response.headers['content-type'] ?? '' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: 0, wait: d.response.delayMs, receive: 0 },
          _hookwright: {
            id: d.id,
            endpoint: d.endpoint,
            attempt: d.attempt,
            action: d.response.action,
            ...(d.verification ? { verification: d.verification } : {}),
            ...(d.error ? { error: d.error } : {}),
          },
        }
      }),
    },
  }
}

/**
 * Reads captured requests from NDJSON (one delivery per line, as `listen --save` and
 * `export --format ndjson` write) or a HAR file (from hookwright, devtools or a proxy).
 */
export function readCaptures(text: string, source: string): CapturedRequest[] {
  const trimmed = text.trim()
  if (trimmed === '') throw new UsageError(`${source} holds no deliveries.`)
  let whole: unknown
  try {
    whole = JSON.parse(trimmed)
  } catch {
    whole = undefined
  }
  if (isPlainObject(whole) && isPlainObject(whole.log)) return fromHar(whole.log, source)
  return trimmed.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return []
    let d: unknown
    try {
      d = JSON.parse(line)
    } catch {
      throw new UsageError(
        `${source} line ${i + 1} is not JSON: neither NDJSON of deliveries nor a HAR file.`,
      )
    }
    if (
      !isPlainObject(d) ||
      typeof d.method !== 'string' ||
      typeof d.path !== 'string' ||
      typeof d.rawBody !== 'string'
    ) {
      throw new UsageError(
        `${source} line ${i + 1} is not a delivery (needs method, path and rawBody).`,
      )
    }
    const json = d as unknown as DeliveryJSON
    const search = new URLSearchParams(
      pairs(json.query ?? {}).map((q) => [q.name, q.value]),
    ).toString()
    return [
      {
        id: json.id ?? `line ${i + 1}`,
        method: json.method,
        target: `${json.path}${search ? `?${search}` : ''}`,
        headers: json.headers ?? {},
        body: new Uint8Array(Buffer.from(json.rawBody, 'base64')),
        ...(typeof json.receivedAt === 'number' ? { receivedAt: json.receivedAt } : {}),
      },
    ]
  })
}

function fromHar(log: Record<string, unknown>, source: string): CapturedRequest[] {
  if (!Array.isArray(log.entries))
    throw new UsageError(`${source} is a HAR file without log.entries.`)
  return log.entries.map((entry: unknown, i: number) => {
    const request = isPlainObject(entry) ? entry.request : undefined
    if (
      !isPlainObject(request) ||
      typeof request.method !== 'string' ||
      typeof request.url !== 'string'
    ) {
      throw new UsageError(`${source}: HAR entry ${i + 1} has no request method and url.`)
    }
    const headers: Record<string, string | string[]> = {}
    for (const h of Array.isArray(request.headers) ? request.headers : []) {
      if (!isPlainObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string') continue
      const name = h.name.toLowerCase()
      // HTTP/2 captures carry pseudo-headers (:authority, :path…) that are not request headers.
      if (name.startsWith(':')) continue
      const prev = headers[name]
      headers[name] =
        prev === undefined ? h.value : [...(Array.isArray(prev) ? prev : [prev]), h.value]
    }
    const post = isPlainObject(request.postData) ? request.postData : undefined
    const text = typeof post?.text === 'string' ? post.text : ''
    const base64 = post?.encoding === 'base64' || post?._encoding === 'base64'
    const url = new URL(request.url)
    const meta = isPlainObject((entry as Record<string, unknown>)._hookwright)
      ? ((entry as Record<string, unknown>)._hookwright as Record<string, unknown>)
      : {}
    const started = Date.parse(String((entry as Record<string, unknown>).startedDateTime))
    return {
      id: typeof meta.id === 'string' ? meta.id : `entry ${i + 1}`,
      method: request.method,
      target: `${url.pathname}${url.search}`,
      headers,
      body: new Uint8Array(Buffer.from(text, base64 ? 'base64' : 'utf8')),
      ...(Number.isNaN(started) ? {} : { receivedAt: started }),
    }
  })
}
