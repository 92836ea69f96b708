import { performance } from 'node:perf_hooks'
import { clearTimeout, setTimeout } from 'node:timers'
import type { Dispatcher } from 'undici'
import { invalidOption } from '../errors.js'
import { loadUndici } from '../undici.js'

/** Why a request got no HTTP answer: `timeout`, or a connection failure such as `ECONNREFUSED`. */
export interface DeliverError {
  /** `timeout` for our own deadline; otherwise the socket or undici code (`ECONNRESET`, `UND_ERR_SOCKET`…). */
  code: string
  message: string
}

/** One HTTP exchange, as plain data. */
export interface DeliverOutcome {
  status?: number
  error?: DeliverError
  /** Lower-case names; repeated headers keep every value. */
  responseHeaders: Record<string, string | string[]>
  durationMs: number
}

export interface DeliverRequest {
  method: string
  headers: Record<string, string>
  body: string | Uint8Array
  timeoutMs: number
  dispatcher?: Dispatcher | undefined
}

/**
 * Sends one request and never throws for a network failure: the failure is the result. Follows
 * no redirect (undici's `request` follows none unless told), since a webhook sender must treat
 * a 3xx as a failed delivery.
 */
export async function deliver(url: string, req: DeliverRequest): Promise<DeliverOutcome> {
  const { request } = await loadUndici()
  const controller = new AbortController()
  let timedOut = false
  // node:timers: a test's fake timers must not stop the per-attempt deadline.
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, req.timeoutMs)
  const started = performance.now()
  try {
    const res = await request(url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      signal: controller.signal,
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    })
    // Read the answer to the end so the socket goes back to the pool (and a slow body counts).
    await res.body.dump({ limit: 1024 * 1024, signal: controller.signal })
    return {
      status: res.statusCode,
      responseHeaders: normaliseHeaders(res.headers),
      durationMs: performance.now() - started,
    }
  } catch (error) {
    const err = error as { code?: string; message?: string; cause?: { code?: string } }
    const code = timedOut ? 'timeout' : (err.code ?? err.cause?.code ?? 'network_error')
    const message = timedOut
      ? `No answer within ${req.timeoutMs} ms.`
      : (err.message ?? String(error))
    return {
      error: { code, message },
      responseHeaders: {},
      durationMs: performance.now() - started,
    }
  } finally {
    clearTimeout(timer)
  }
}

function normaliseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = value
  }
  return out
}

/**
 * The `Content-Type` a body goes out with when neither the scheme nor the caller set one:
 * JSON text as `application/json`, other text as `text/plain`, bytes as octet-stream.
 */
export function defaultContentType(body: string | Uint8Array): string {
  if (typeof body !== 'string') return 'application/octet-stream'
  const start = body.trimStart()[0]
  if (start === '{' || start === '[') return 'application/json'
  return 'text/plain; charset=utf-8'
}

/** Lower-cased copy of a header record, checking names and values as it goes. */
export function checkHeaders(value: unknown, option: string): Record<string, string> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalidOption(option, 'an object of header names to string values', value)
  }
  const out: Record<string, string> = {}
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      invalidOption(`${option}["${name}"]`, 'a valid header name with a string value', v)
    }
    out[name.toLowerCase()] = v
  }
  return out
}

/** Checks a target URL: absolute http(s). */
export function checkUrl(url: unknown, option = 'url'): string {
  let parsed: URL | undefined
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    invalidOption(option, 'an absolute http:// or https:// URL', url)
  }
  // The caller's spelling, not URL's normalised one: URL-signing schemes sign this exact text.
  return url as string
}

/** Checks a per-request timeout in milliseconds. */
export function checkTimeout(value: unknown, option = 'timeoutMs'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
    invalidOption(option, 'milliseconds between 1 and 2147483647', value)
  }
  return value
}

/** A copy of a header record with lower-case names. */
export function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}
