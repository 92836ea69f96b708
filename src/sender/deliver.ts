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
  /**
   * The start of the answer's body as UTF-8 text (at most `RESPONSE_TEXT_BYTES`), so a
   * refusal can be shown with its reason (`{"error":"bad_signature"}`).
   */
  responseText?: string
  durationMs: number
}

export interface DeliverRequest {
  method: string
  headers: Record<string, string>
  body: string | Uint8Array
  timeoutMs: number
  dispatcher?: Dispatcher | undefined
}

let ownAgent: Dispatcher | undefined

/**
 * The global dispatcher when it is npm undici's (a user's `setGlobalDispatcher(mockAgent)` is
 * honoured), else an agent of our own: Node's built-in fetch, used first, installs its bundled
 * undici as the global dispatcher, and on Node 20 that one speaks an older handler API ("invalid
 * onError method"). Idle sockets of our agent are unref'd by undici, so it keeps no process alive.
 */
async function defaultDispatcher(): Promise<Dispatcher> {
  const undici = await loadUndici()
  const global = undici.getGlobalDispatcher()
  if (global instanceof undici.Dispatcher) return global
  return (ownAgent ??= new undici.Agent())
}

/** How much of an answer's body is kept as `responseText`. */
export const RESPONSE_TEXT_BYTES = 4096
/** An answer's body is read up to this (a slow body counts toward the time); past it the connection is cut. */
const READ_LIMIT = 1024 * 1024

/**
 * Sends one request and never throws for a network failure: the failure is the result. Follows
 * no redirect, since a webhook sender must treat a 3xx as a failed delivery.
 *
 * Built on `dispatch` rather than undici's `request`: `request` makes an async resource per
 * call that lives until garbage collection, which `vitest --detect-async-leaks` reports as a
 * leaked UNDICI_REQUEST in the user's test.
 */
export async function deliver(url: string, req: DeliverRequest): Promise<DeliverOutcome> {
  const dispatcher = req.dispatcher ?? (await defaultDispatcher())
  const target = new URL(url)
  const started = performance.now()
  return new Promise<DeliverOutcome>((resolve) => {
    let controller: Dispatcher.DispatchController | undefined
    let timedOut = false
    let overLimit = false
    let settled = false
    let status: number | undefined
    let responseHeaders: Record<string, string | string[]> = {}
    const kept: Buffer[] = []
    let keptBytes = 0
    let read = 0
    const finish = (error?: DeliverError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const outcome: DeliverOutcome = { responseHeaders, durationMs: performance.now() - started }
      if (error !== undefined) outcome.error = error
      else {
        outcome.status = status!
        if (keptBytes > 0) outcome.responseText = Buffer.concat(kept, keptBytes).toString('utf8')
      }
      resolve(outcome)
    }
    // node:timers: a test's fake timers must not stop the per-attempt deadline.
    const timer = setTimeout(() => {
      timedOut = true
      finish({ code: 'timeout', message: `No answer within ${req.timeoutMs} ms.` })
      controller?.abort(new Error('timeout'))
    }, req.timeoutMs)
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c
        if (timedOut) c.abort(new Error('timeout'))
      },
      onResponseStart(_c, statusCode, headers) {
        if (statusCode < 200) return
        status = statusCode
        responseHeaders = normaliseHeaders(headers)
      },
      onResponseData(c, chunk) {
        read += chunk.length
        if (keptBytes < RESPONSE_TEXT_BYTES) {
          const part = chunk.subarray(0, RESPONSE_TEXT_BYTES - keptBytes)
          kept.push(Buffer.from(part))
          keptBytes += part.length
        }
        if (read > READ_LIMIT) {
          overLimit = true
          c.abort(new Error('response body over the read limit'))
        }
      },
      onResponseEnd() {
        finish()
      },
      onResponseError(_c, error) {
        if (overLimit && status !== undefined) return finish()
        const err = error as { code?: string; message?: string; cause?: { code?: string } }
        finish({
          code: err.code ?? err.cause?.code ?? 'network_error',
          message: err.message ?? String(error),
        })
      },
    }
    try {
      dispatcher.dispatch(
        {
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: req.method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body,
        },
        handler,
      )
    } catch (error) {
      handler.onResponseError!(undefined as never, error as Error)
    }
  })
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
