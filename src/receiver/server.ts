import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { clearTimeout, setImmediate, setTimeout } from 'node:timers'
import {
  addField,
  collectHeaders,
  receivedDelivery,
  type Delivery,
  type DeliveryResponse,
  type ReceivedRequest,
} from '../delivery.js'
import { invalidOption } from '../errors.js'
import { controlRoute } from '../remote/control.js'
import type { VerifyResult } from '../schemes/types.js'
import { createEndpointState, DEFAULT_MAX_BODY_BYTES, type EndpointState } from './endpoint.js'
import type { ResolvedStep } from './script.js'
import { createCheckedStore, storeBounds, type DeliveryStore } from './store.js'
import type {
  Endpoint,
  EndpointOptions,
  Receiver,
  ReceiverOptions,
  ReceiverRoute,
  WaitForOptions,
} from './types.js'

const OPTION_KEYS = new Set([
  'port',
  'host',
  'maxDeliveries',
  'maxBytes',
  'control',
  'routes',
  'tls',
])
const ENDPOINT_PREFIX = '/h/'
/** Unknown paths are counted per path for their attempt number; past this many, counting restarts. */
const MAX_UNKNOWN_PATHS = 10_000

const NO_ANSWER: DeliveryResponse = Object.freeze({
  status: 0,
  headers: Object.freeze({}) as Record<string, string>,
  delayMs: 0,
  action: 'respond',
}) as DeliveryResponse

type Listener = (delivery: Delivery) => void

/**
 * Starts an HTTP receiver on 127.0.0.1 (an ephemeral port by default) that records every
 * request as a `Delivery` — requests to unknown paths too, as 404s, so a sender's wrong URL
 * shows up — and mints endpoints with their own verification, limits and response scripts.
 * Resolves once it is listening.
 *
 * @example
 * const receiver = await createReceiver()
 * const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret }, respond: [500, 200] })
 * await mySender.deliver(ep.url, event)        // the code under test
 * const [first, second] = await ep.waitFor({ count: 2 })
 * await receiver.close()
 */
export async function createReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  if (options === null || typeof options !== 'object') {
    invalidOption('createReceiver(options)', 'an object', options)
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      invalidOption(`createReceiver({ ${key} })`, `one of ${[...OPTION_KEYS].join(', ')}`, key)
    }
  }
  const host = options.host ?? '127.0.0.1'
  const requestedPort = options.port ?? 0
  if (typeof host !== 'string' || host.length === 0) {
    invalidOption('host', 'an interface address such as "127.0.0.1"', options.host)
  }
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    invalidOption('port', 'an integer from 0 to 65535 (0 picks a free port)', options.port)
  }
  // Checked now, before a port is opened.
  const storeOptions = storeBounds(options)
  const routes: ReceiverRoute[] = [...(options.routes ?? [])]
  if (options.control) {
    routes.push(controlRoute(typeof options.control === 'object' ? options.control : {}))
  }
  routes.forEach((route, i) => {
    if (
      route === null ||
      typeof route !== 'object' ||
      typeof route.prefix !== 'string' ||
      !route.prefix.startsWith('/') ||
      !route.prefix.endsWith('/') ||
      route.prefix.startsWith(ENDPOINT_PREFIX) ||
      typeof route.handle !== 'function'
    ) {
      invalidOption(
        `routes[${i}]`,
        `{ prefix: "/name/", handle(req, res, receiver) } with a prefix outside ${ENDPOINT_PREFIX}`,
        route,
      )
    }
  })

  const tls = options.tls
  if (tls !== undefined) {
    const pem = (v: unknown) => typeof v === 'string' || v instanceof Uint8Array
    if (tls === null || typeof tls !== 'object' || !pem(tls.key) || !pem(tls.cert)) {
      invalidOption('tls', 'an object { key, cert } of PEM strings or Buffers', tls, {
        secret: true,
      })
    }
  }
  // Same handler either way: HTTPS only changes the socket, and providers sign the same bytes.
  const asPem = (v: string | Uint8Array) => (typeof v === 'string' ? v : Buffer.from(v))
  const server: Server = tls
    ? createHttpsServer({ key: asPem(tls.key), cert: asPem(tls.cert) })
    : createServer()
  const scheme = tls ? 'https' : 'http'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(requestedPort, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const authorityOf = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const origin = `${scheme}://${authorityOf}`
  const label = `receiver ${origin}`
  const store = createCheckedStore(storeOptions, label)
  const endpoints = new Map<string, EndpointState>()
  const listeners = new Set<Listener>()
  /** Requests whose body is still being read (close() cuts them off; they record as aborted). */
  const reading = new Set<IncomingMessage>()
  // Made on first use, as most receivers never see an unknown path, a delay or a hang.
  let unknownAttempts: Map<string, number> | undefined
  let delayed: Map<ReturnType<typeof setTimeout>, () => void> | undefined
  let hanging: Set<ServerResponse> | undefined
  let closing: Promise<void> | undefined

  function record(delivery: Delivery, state: EndpointState | undefined): void {
    state?.store.add(delivery)
    store.add(delivery)
    for (const listener of listeners) {
      try {
        listener(delivery)
      } catch (error) {
        // A throwing listener is a bug in the test; surface it without breaking the server.
        setImmediate(() => {
          throw error
        })
      }
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = Date.now()
    const target = req.url ?? '/'
    let path = target
    let search = ''
    const q = target.indexOf('?')
    if (q !== -1) {
      path = target.slice(0, q)
      search = target.slice(q + 1)
    }
    if (!path.startsWith('/')) {
      // Absolute-form request targets (`POST http://host/h/x`), as proxies send them.
      try {
        const url = new URL(target)
        path = url.pathname
        search = url.search.slice(1)
      } catch {
        // Not a URL either: recorded as the unknown path it is.
      }
    }
    for (const route of routes) {
      if (path.startsWith(route.prefix)) return runRoute(route, req, res)
    }
    const state = endpointFor(path)
    const limit = state ? state.maxBodyBytes : DEFAULT_MAX_BODY_BYTES
    const chunks: Buffer[] = []
    let size = 0
    let settled = false

    const finish = (error?: 'body_too_large' | 'aborted'): void => {
      settled = true
      reading.delete(req)
      answer(req, res, state, {
        receivedAt,
        path,
        search,
        rawBody: concat(chunks, size),
        error,
      })
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return
      if (size + chunk.length > limit) {
        if (limit > size) chunks.push(chunk.subarray(0, limit - size))
        size = limit
        finish('body_too_large')
        return
      }
      chunks.push(chunk)
      size += chunk.length
    })
    req.on('end', () => {
      if (!settled) finish()
    })
    // No 'error' listener: Node emits a request's abort error only to listeners, and 'close'
    // below records the abort.
    req.on('close', () => {
      if (!settled) finish('aborted')
    })
    reading.add(req)
  }

  function endpointFor(path: string): EndpointState | undefined {
    if (!path.startsWith(ENDPOINT_PREFIX)) return undefined
    // `/h/<id>` and anything under it (a sender that appends `/stripe` still reaches it).
    const end = path.indexOf('/', ENDPOINT_PREFIX.length)
    return endpoints.get(path.slice(ENDPOINT_PREFIX.length, end === -1 ? undefined : end))
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    state: EndpointState | undefined,
    got: {
      receivedAt: number
      path: string
      search: string
      rawBody: Uint8Array
      error: 'body_too_large' | 'aborted' | undefined
    },
  ): void {
    // The header object is made only if something here needs it; the delivery makes it on demand.
    let headers: Record<string, string | string[]> | undefined
    const method = req.method ?? 'GET'
    let attempt: number
    if (state) {
      attempt = ++state.attempts
    } else {
      unknownAttempts ??= new Map()
      if (unknownAttempts.size >= MAX_UNKNOWN_PATHS) unknownAttempts.clear()
      attempt = (unknownAttempts.get(got.path) ?? 0) + 1
      unknownAttempts.set(got.path, attempt)
    }
    let verification: VerifyResult | undefined
    let error: string | undefined = got.error
    let step: ResolvedStep
    let scripted: ResolvedStep | undefined
    if (error === 'aborted') {
      step = { ...NO_ANSWER, body: EMPTY }
    } else if (error === 'body_too_large') {
      step = fixed(
        413,
        'text/plain; charset=utf-8',
        `Body over the ${state?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES}-byte limit.`,
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
          verification = state.verify(headers, got.rawBody, requestUrl(req, headers))
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
      response: step === scripted ? responseFor(step) : toResponse(step),
    }
    if (verification !== undefined) data.verification = verification
    if (error !== undefined) data.error = error
    record(receivedDelivery(data), state)
    if (got.error === 'aborted') return
    if (step.delayMs > 0) {
      const waiting = (delayed ??= new Map())
      const run = (): void => {
        waiting.delete(timer)
        perform(req, res, step)
      }
      // node:timers, so a test's fake timers do not freeze a scripted delay.
      const timer = setTimeout(run, step.delayMs)
      waiting.set(timer, run)
      res.once('close', () => {
        if (waiting.delete(timer)) clearTimeout(timer)
      })
    } else {
      perform(req, res, step)
    }
  }

  /** The URL the sender used, as URL-signing schemes (Twilio) signed it. */
  function requestUrl(req: IncomingMessage, headers: Record<string, string | string[]>): string {
    const hostHeader = headers.host
    const authority = (Array.isArray(hostHeader) ? hostHeader[0] : hostHeader) ?? authorityOf
    const target = req.url ?? '/'
    return target.startsWith('/') ? `${scheme}://${authority}${target}` : target
  }

  function perform(req: IncomingMessage, res: ServerResponse, step: ResolvedStep): void {
    if (res.destroyed || res.writableEnded) return
    if (step.action === 'reset') {
      resetSocket(req.socket)
    } else if (step.action === 'hang') {
      const hung = (hanging ??= new Set())
      hung.add(res)
      res.once('close', () => hung.delete(res))
    } else {
      res.statusCode = step.status
      for (const name in step.headers) res.setHeader(name, step.headers[name]!)
      // Headers and body leave in one write only when the body is a string (Node prepends the
      // header text to it); a Buffer would cost a writev per answer. latin1 maps bytes 1:1.
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

  function runRoute(route: ReceiverRoute, req: IncomingMessage, res: ServerResponse): void {
    const failed = (): void => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end('The route handler failed.')
      } else {
        res.destroy()
      }
    }
    try {
      const result = route.handle(req, res, receiver)
      if (result && typeof result.then === 'function') result.then(undefined, failed)
    } catch {
      failed()
    }
  }

  const receiver = new RunningReceiver(origin, host, port, store, {
    endpoint(endpointOptions: EndpointOptions = {}): Endpoint {
      if (closing) {
        invalidOption('endpoint()', 'a receiver that is not closed', 'a closed receiver')
      }
      const state = createEndpointState(endpointOptions, {
        id: endpointId(),
        origin,
        store: storeOptions,
        onClose: (s) => endpoints.delete(s.endpoint.id),
      })
      endpoints.set(state.endpoint.id, state)
      return state.endpoint
    },
    getEndpoint: (id) => endpoints.get(id)?.endpoint,
    listeners,
    clear() {
      store.clear()
      for (const state of endpoints.values()) state.store.clear()
    },
    close() {
      closing ??= shutDown()
      return closing
    },
  })

  async function shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    if (routes.length > 0) await Promise.allSettled(routes.map(async (route) => route.close?.()))
    if (delayed?.size || hanging?.size || reading.size > 0) {
      // Delayed answers go out now; hanging requests and unfinished bodies are cut off.
      for (const [timer, run] of delayed ?? []) {
        clearTimeout(timer)
        run()
      }
      for (const res of hanging ?? []) res.socket?.destroy()
      for (const req of reading) req.socket.destroy()
      // Let answers just written reach the socket before the remaining connections go.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    server.closeAllConnections()
    // Resolves as node's own close callback does: the port and every socket's file descriptor
    // are closed by now; libuv frees the listening handle's memory at the end of this loop turn.
    await closed
    // The closed server lives on until libuv frees its handle; it need not keep all this alive.
    server.off('request', onRequest)
    const reason = `${label} was closed.`
    for (const state of endpoints.values()) state.store.close(reason)
    endpoints.clear()
    store.close(reason)
    listeners.clear()
  }

  server.on('request', onRequest)
  return receiver
}

const EMPTY: Uint8Array = new Uint8Array(0)

/** What the receiver object delegates to: the closures over the running server. */
interface ReceiverCore {
  endpoint(options?: EndpointOptions): Endpoint
  getEndpoint(id: string): Endpoint | undefined
  listeners: Set<Listener>
  clear(): void
  close(): Promise<void>
}

// A class rather than an object literal with getters: V8 builds literals with accessors on a
// slow path, which showed in start+close time.
class RunningReceiver implements Receiver {
  readonly label: string
  readonly #store: DeliveryStore
  readonly #core: ReceiverCore

  constructor(
    readonly url: string,
    readonly host: string,
    readonly port: number,
    store: DeliveryStore,
    core: ReceiverCore,
  ) {
    this.label = store.label
    this.#store = store
    this.#core = core
  }

  get deliveries(): readonly Delivery[] {
    return this.#store.deliveries
  }

  get dropped(): number {
    return this.#store.dropped
  }

  waitFor(options?: WaitForOptions): Promise<Delivery[]> {
    return this.#store.waitFor(options)
  }

  endpoint(options?: EndpointOptions): Endpoint {
    return this.#core.endpoint(options)
  }

  getEndpoint(id: string): Endpoint | undefined {
    return this.#core.getEndpoint(id)
  }

  on(event: 'delivery', listener: Listener): this {
    if (event !== 'delivery') invalidOption('on(event)', '"delivery"', event)
    this.#core.listeners.add(listener)
    return this
  }

  off(event: 'delivery', listener: Listener): this {
    if (event !== 'delivery') invalidOption('off(event)', '"delivery"', event)
    this.#core.listeners.delete(listener)
    return this
  }

  clear(): void {
    this.#core.clear()
  }

  close(): Promise<void> {
    return this.#core.close()
  }
}

// Endpoint ids are unguessable (a side-car receiver's paths act as capabilities); random bytes
// are drawn and encoded in batches because one randomBytes call (or one base64 encoding) per
// endpoint dominated start-up cost. 9 bytes are exactly 12 base64url characters.
let idPool = ''
let idOffset = 0
const ID_CHARS = 12

function endpointId(): string {
  if (idOffset + ID_CHARS > idPool.length) {
    idPool = randomBytes((ID_CHARS / 4) * 3 * 256).toString('base64url')
    idOffset = 0
  }
  idOffset += ID_CHARS
  return idPool.slice(idOffset - ID_CHARS, idOffset)
}

function fixed(status: number, contentType: string, text: string): ResolvedStep {
  return {
    status,
    headers: { 'content-type': contentType },
    body: Buffer.from(text, 'utf8'),
    delayMs: 0,
    action: 'respond',
  }
}

function resetSocket(socket: Socket): void {
  // An RST, not a FIN: what a crashed or overloaded server looks like to the sender.
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
  else socket.destroy()
}

/**
 * A copy, always: socket chunks are views into larger read buffers that must not be kept
 * alive. Buffer.concat draws small bodies from Node's buffer pool, which saves an ArrayBuffer
 * per delivery (as `rawBody.byteOffset` says, the view may not start at 0).
 */
function concat(chunks: Buffer[], size: number): Uint8Array {
  return Buffer.concat(chunks, size)
}

// Every delivery keeps its query and response objects, and they are the same for most of
// them: sharing frozen ones means fewer objects per delivery for the GC to carry.
const NO_QUERY: Record<string, string | string[]> = Object.freeze({})
const responses = new WeakMap<ResolvedStep, DeliveryResponse>()

/** The shared response record of a script step (script steps live as long as their endpoint). */
function responseFor(step: ResolvedStep): DeliveryResponse {
  let response = responses.get(step)
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
  if (search.length === 0) return NO_QUERY
  const out: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(search)) addField(out, key, value)
  return out
}
