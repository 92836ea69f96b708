import { type DeliverOutcome, deliver } from '../sender/deliver.js'

/** Headers that describe one hop, not the message: a re-send gets its own. */
const hopHeaders = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'proxy-authorization',
  'proxy-connection',
])

/** A captured request to send again. */
export interface ResendRequest {
  method: string
  headers: Record<string, string | string[]>
  body: Uint8Array
}

/**
 * The headers of a captured request for sending it again: lower-case names, repeated values
 * joined, without hop-by-hop headers or the names in `drop` (old signature headers).
 */
export function resendHeaders(
  headers: Record<string, string | string[]>,
  drop: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {}
  const dropped = new Set(drop.map((h) => h.toLowerCase()))
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (!hopHeaders.has(lower) && !dropped.has(lower)) {
      out[lower] = Array.isArray(value) ? value.join(', ') : value
    }
  }
  return out
}

/**
 * Sends a captured request again, byte for byte, to `to` (an http(s) URL the user gave). Like
 * the sender, a network failure is the result (`error.code`), not an exception.
 *
 * @example
 * await resend({ method: d.method, headers: d.headers, body: d.rawBody }, 'http://127.0.0.1:3000/hooks')
 */
export function resend(
  req: ResendRequest,
  to: string,
  { timeoutMs = 10_000, headers }: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<DeliverOutcome> {
  return deliver(to, {
    method: req.method.toUpperCase(),
    headers: headers ?? resendHeaders(req.headers),
    body: req.body,
    timeoutMs,
  })
}
