import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { clearTimeout, setTimeout } from 'node:timers'
import {
  addField,
  collectHeaders,
  receivedDelivery,
  type Delivery,
  type DeliveryResponse,
  type ReceivedRequest,
} from '../delivery.js'
import type { VerifyResult } from '../schemes/types.js'
import { DEFAULT_MAX_BODY_BYTES, type EndpointState } from './endpoint.js'
import type { ReadError } from './read.js'
import type { ResolvedStep } from './script.js'

/** Unknown paths are counted per path for their attempt number; past this many, counting restarts. */
const MAX_UNKNOWN_PATHS = 10_000

/**
 * What answering needs of the running receiver, and the answers it holds back (which
 * `close()` sends or cuts off). The maps are made on first use, as most receivers never see
 * an unknown path, a delay or a hang.
 */
export interface Answering {
  readonly scheme: 'http' | 'https'
  /** `host:port` of the receiver, for the URL a request without a Host header used. */
  readonly authority: string
  record(delivery: Delivery, state: EndpointState | undefined, bytes: number): void
  /** The receiver's `save` option: keeps a delivery before it is answered, or throws. */
  save: ((delivery: Delivery) => void) | undefined
  unknownAttempts?: Map<string, number>
  delayed?: Map<ReturnType<typeof setTimeout>, () => void>
}

/** A request read to its end (or cut off), ready to be answered and recorded. */
export interface ReadRequest {
  receivedAt: number
  path: string
  search: string
  rawBody: Uint8Array
  error: ReadError | undefined
  /** What the request costs against the receiver's `maxBytes` (head and body). */
  bytes: number
}

/**
 * Decides the answer (413, 404, 405, 401 or the endpoint's script), records the delivery, then
 * writes the answer (now, after a scripted delay, never for a hang, or as a reset).
 */
export function answer(
  ctx: Answering,
  req: IncomingMessage,
  res: ServerResponse,
  state: EndpointState | undefined,
  got: ReadRequest,
): void {
  // The header object is made only if something here needs it; the delivery makes it on demand.
  let headers: Record<string, string | string[]> | undefined
  // Stryker disable next-line StringLiteral: node:http always sets the method of a request it parsed
  const method = req.method ?? 'GET'
  let attempt: number
  if (state) {
    attempt = ++state.attempts
  } else {
    const counts = (ctx.unknownAttempts ??= new Map())
    if (counts.size >= MAX_UNKNOWN_PATHS) counts.clear()
    attempt = (counts.get(got.path) ?? 0) + 1
    counts.set(got.path, attempt)
  }
  let verification: VerifyResult | undefined
  let error: string | undefined = got.error
  let step: ResolvedStep
  let scripted: ResolvedStep | undefined
  if (error === 'aborted') {
    step = { ...NO_ANSWER, body: EMPTY }
  } else if (error === 'request_timeout') {
    // node:http has answered this 408 already (no body, Connection: close) and closed the connection.
    step = { ...TIMED_OUT, body: EMPTY }
  } else if (error === 'body_too_large' || error === 'over_budget') {
    step = fixed(
      413,
      'text/plain; charset=utf-8',
      error === 'body_too_large'
        ? `Body over the ${state?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES}-byte limit.`
        : "Body over what the receiver's memory budget (maxBytes) can hold now.",
    )
    // The rest of the body is not read: the connection cannot be reused.
    step.headers.connection = 'close'
  } else if (!state) {
    step = fixed(404, 'text/plain; charset=utf-8', `No hookwright endpoint at ${got.path}.`)
  } else if (state.methods && !state.methods.has(method)) {
    step = fixed(405, 'text/plain; charset=utf-8', `${method} is not allowed here.`)
    step.headers.allow = state.allow
  } else {
    step = scripted = state.respond(attempt)
    if (state.verify) {
      try {
        headers = collectHeaders(req.rawHeaders)
        verification = state.verify(headers, got.rawBody, requestUrl(ctx, req, headers))
      } catch (thrown) {
        // Schemes return failures as results; a throw is a bug, recorded and answered 500.
        error = `verify_threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`
        step = fixed(500, 'text/plain; charset=utf-8', 'The signature check failed to run.')
      }
      if (verification && !verification.ok) {
        step = fixed(
          401,
          'application/json',
          JSON.stringify({ error: verification.reason, message: verification.message }),
        )
      }
    }
  }
  const data: ReceivedRequest = {
    endpoint: state ? state.endpoint.id : null,
    attempt,
    receivedAt: got.receivedAt,
    method,
    path: got.path,
    query: parseQuery(got.search),
    rawHeaders: req.rawHeaders,
    headers,
    rawBody: got.rawBody,
    // Stryker disable next-line ConditionalExpression,EqualityOperator: only whether script steps share one frozen response record; the values are the same
    response: step === scripted ? responseFor(step) : toResponse(step),
  }
  // Stryker disable next-line ConditionalExpression: a verification of undefined reads the same as none
  if (verification !== undefined) data.verification = verification
  // Stryker disable next-line ConditionalExpression: an error of undefined reads the same as none
  if (error !== undefined) data.error = error
  const limit = state?.maxBodyBytes
  let delivery = receivedDelivery(data, limit)
  if (ctx.save) {
    try {
      ctx.save(delivery)
    } catch {
      // Not kept, so not acknowledged: the sender is told to try again later.
      step = fixed(
        503,
        'application/json',
        JSON.stringify({ error: 'save_failed', message: 'The delivery could not be saved.' }),
      )
      step.headers['retry-after'] = '1'
      data.response = toResponse(step)
      data.error = 'save_failed'
      delivery = receivedDelivery(data, limit)
    }
  }
  ctx.record(delivery, state, got.bytes)
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: the connection is gone already: perform() would find the response destroyed or ended
  if (got.error === 'aborted' || got.error === 'request_timeout') return
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a 0 ms delay through a timer answers the same, one turn later
  if (step.delayMs > 0) {
    const waiting = (ctx.delayed ??= new Map())
    const run = (): void => {
      waiting.delete(timer)
      perform(req, res, step)
    }
    // node:timers, so a test's fake timers do not freeze a scripted delay.
    const timer = setTimeout(run, step.delayMs)
    waiting.set(timer, run)
    // Stryker disable next-line StringLiteral,BlockStatement,ConditionalExpression: lets go of the timer of a sender that left; once it fires, perform() finds the response destroyed
    res.once('close', () => {
      // Stryker disable next-line ConditionalExpression: as above
      if (waiting.delete(timer)) clearTimeout(timer)
    })
  } else {
    perform(req, res, step)
  }
}

/** The URL the sender used, as URL-signing schemes (Twilio) signed it. */
function requestUrl(
  ctx: Answering,
  req: IncomingMessage,
  headers: Record<string, string | string[]>,
): string {
  const hostHeader = headers.host
  const authority = (Array.isArray(hostHeader) ? hostHeader[0] : hostHeader) ?? ctx.authority
  // Stryker disable next-line StringLiteral: node:http always sets the target of a request it parsed
  const target = req.url ?? '/'
  return target.startsWith('/') ? `${ctx.scheme}://${authority}${target}` : target
}

/** Writes the answer: a status and body, a reset, or nothing ('hang': close() cuts it off). */
function perform(req: IncomingMessage, res: ServerResponse, step: ResolvedStep): void {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a destroyed or ended response ignores what is written to it; this only skips the work
  if (res.destroyed || res.writableEnded) return
  if (step.action === 'reset') {
    resetSocket(req.socket)
  } else if (step.action !== 'hang') {
    res.statusCode = step.status
    for (const name in step.headers) res.setHeader(name, step.headers[name]!)
    // Headers and body leave in one write only when the body is a string (Node prepends the
    // header text to it); a Buffer would cost a writev per answer. latin1 maps bytes 1:1.
    // Stryker disable next-line ConditionalExpression: res.end('') sends the same empty body
    if (step.body.byteLength === 0) res.end()
    else
      res.end(
        Buffer.from(step.body.buffer, step.body.byteOffset, step.body.byteLength).toString(
          'latin1',
        ),
        'latin1',
      )
  }
}

const EMPTY: Uint8Array = new Uint8Array(0)

/** What node:http sent for a request that ran out of time (see `requestTimeout`). */
const TIMED_OUT: DeliveryResponse = Object.freeze({
  status: 408,
  headers: Object.freeze({ connection: 'close' }) as Record<string, string>,
  delayMs: 0,
  action: 'respond',
}) as DeliveryResponse

const NO_ANSWER: DeliveryResponse = Object.freeze({
  status: 0,
  headers: Object.freeze({}) as Record<string, string>,
  delayMs: 0,
  action: 'respond',
}) as DeliveryResponse

function fixed(status: number, contentType: string, text: string): ResolvedStep {
  return {
    status,
    headers: { 'content-type': contentType },
    // Stryker disable next-line StringLiteral: utf8 is Buffer.from's default
    body: Buffer.from(text, 'utf8'),
    delayMs: 0,
    action: 'respond',
  }
}

function resetSocket(socket: Socket): void {
  // An RST, not a FIN: what a crashed or overloaded server looks like to the sender.
  socket.resetAndDestroy()
}

// Every delivery keeps its query and response objects, and they are the same for most of
// them: sharing frozen ones means fewer objects per delivery for the GC to carry.
const NO_QUERY: Record<string, string | string[]> = Object.freeze({})
const responses = new WeakMap<ResolvedStep, DeliveryResponse>()

/** The shared response record of a script step (script steps live as long as their endpoint). */
function responseFor(step: ResolvedStep): DeliveryResponse {
  let response = responses.get(step)
  // Stryker disable next-line ConditionalExpression: a miss makes an equal record again (only sharing is lost)
  if (response === undefined) {
    response = toResponse(step)
    responses.set(step, response)
  }
  return response
}

function toResponse({ status, headers, delayMs, action }: ResolvedStep): DeliveryResponse {
  return Object.freeze({ status, headers: Object.freeze(headers), delayMs, action })
}

function parseQuery(search: string): Record<string, string | string[]> {
  // Stryker disable next-line ConditionalExpression: an empty query parses to an empty object too (only sharing is lost)
  if (search.length === 0) return NO_QUERY
  const out: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(search)) addField(out, key, value)
  return out
}
