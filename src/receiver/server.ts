import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { clearInterval, setImmediate, setInterval } from 'node:timers'
import type { Delivery } from '../delivery.js'
import { invalidOption } from '../errors.js'
import { reportUnawaited } from '../unawaited.js'
import { answer, type Answering } from './answer.js'
import { createEndpointState, DEFAULT_MAX_BODY_BYTES, type EndpointState } from './endpoint.js'
import { HARNESS_PREFIX, refuseHost } from './guard.js'
import { applyLimits, capConnections, refuseBusy, serverOptions } from './limits.js'
import { resolveReceiverOptions } from './options.js'
import { readBody } from './read.js'
import { endpointIdOf, routeFor, runRoute, splitTarget } from './routing.js'
import { shutDown } from './shutdown.js'
import { createBudgetStore, type DeliveryStore } from './store.js'
import type {
  Endpoint,
  EndpointOptions,
  Receiver,
  ReceiverOptions,
  WaitForOptions,
} from './types.js'

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
  // Checked now, before a port is opened.
  const {
    host,
    port: requestedPort,
    store: storeOptions,
    routes,
    tls,
    save,
    hostAllowed,
    limits,
  } = resolveReceiverOptions(options)
  // Same handler either way: HTTPS only changes the socket, and providers sign the same bytes.
  // node:https (and with it node:tls) is loaded only for an HTTPS receiver: it costs a few ms
  // of every `import 'hookwright'`.
  const server: Server = tls
    ? (await import('node:https')).createServer({
        // node:tls reads a PEM from any Uint8Array, not only a Buffer as its types say
        // (test/receiver/tls.test.ts, on Node 20 and 24).
        key: tls.key as string | Buffer,
        cert: tls.cert as string | Buffer,
        ...serverOptions(limits),
      })
    : createServer(serverOptions(limits))
  applyLimits(server, limits)
  const connections = capConnections(server, limits.maxConnections, tls !== undefined)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(requestedPort, host, () => {
      // Stryker disable next-line StringLiteral: only lets go of the settled promise's reject
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const scheme = tls ? 'https' : 'http'
  const origin = `${scheme}://${authority}`
  const label = `receiver ${origin}`
  const endpoints = new Map<string, EndpointState>()
  // One budget: what the receiver drops, the endpoint's view drops too.
  const store = createBudgetStore(storeOptions, label, (dropped) => {
    // Stryker disable next-line ConditionalExpression: there is no endpoint null either
    if (dropped.endpoint !== null) endpoints.get(dropped.endpoint)?.store.forget(dropped)
  })
  const listeners = new Set<Listener>()
  const answering: Answering = { scheme, authority, record, save }
  let closing: Promise<void> | undefined

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = Date.now()
    const refusal = connections.refusal(req)
    if (refusal === 'busy') return refuseBusy(res, limits.maxConnections)
    // Stryker disable next-line ConditionalExpression,StringLiteral: a request on a connection evicted for room (being answered 408 and closed): reaching it needs a race
    if (refusal === 'closing') return void req.socket.destroy()
    // Stryker disable next-line StringLiteral: node:http always sets the target of a request it parsed
    const { path, search } = splitTarget(req.url ?? '/')
    const route = routeFor(routes, path)
    if (route) {
      // The harness's own paths answer only their own names (DNS rebinding); callbacks any.
      if (hostAllowed && path.startsWith(HARNESS_PREFIX) && !hostAllowed(req.headers.host)) {
        return refuseHost(res, req.headers.host)
      }
      return runRoute(route, req, res, receiver)
    }
    const id = endpointIdOf(path)
    // Stryker disable next-line ConditionalExpression: no endpoint has the id undefined either
    const state = id === undefined ? undefined : endpoints.get(id)
    // Header bytes count against the budget from the start, as the body's do as they arrive.
    const headBytes = requestBytes(req.rawHeaders, req.url)
    if (!store.reserve(headBytes)) {
      const rawBody = EMPTY
      answer(answering, req, res, state, {
        receivedAt,
        path,
        search,
        rawBody,
        error: 'over_budget',
        bytes: headBytes,
      })
      return
    }
    const limit = state ? state.maxBodyBytes : DEFAULT_MAX_BODY_BYTES
    readBody(req, limit, store, headBytes, (rawBody, error) => {
      const bytes = headBytes + rawBody.byteLength
      answer(answering, req, res, state, { receivedAt, path, search, rawBody, error, bytes })
    })
  }

  function record(delivery: Delivery, state: EndpointState | undefined, bytes: number): void {
    state?.store.add(delivery, bytes)
    store.add(delivery, bytes)
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
        receiverDeliveries: () => store.deliveries,
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
      closing ??= close()
      return closing
    },
  })

  // Deliveries past maxAgeMs go when the store is next read or added to; this lets an idle
  // receiver give their memory back too. node:timers, so fake timers do not stop it.
  const sweep =
    // Stryker disable next-line ConditionalExpression: a sweep every 60 s of a store that keeps everything (unref'd, and cleared on close) drops nothing
    storeOptions.maxAgeMs === Infinity
      ? undefined
      : setInterval(() => store.expire(), Math.min(storeOptions.maxAgeMs, 60_000)).unref()

  async function close(): Promise<void> {
    // Stryker disable next-line ConditionalExpression: the sweep is unref'd, and expiring a closed store drops nothing: this lets go of the timer
    if (sweep) clearInterval(sweep)
    await shutDown(server, routes, answering)
    // The closed server lives on until libuv frees its handle; it need not keep all this alive.
    // Stryker disable next-line StringLiteral: as above: memory only
    server.off('request', onRequest)
    const reason = `${label} was closed.`
    reportUnawaited([receiver, ...[...endpoints.values()].map((state) => state.endpoint)])
    for (const state of endpoints.values()) state.store.close(reason)
    endpoints.clear()
    store.close(reason)
    listeners.clear()
  }

  server.on('request', onRequest)
  return receiver
}

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

const EMPTY: Uint8Array = new Uint8Array(0)
/** What `maxBytes` counts per delivery beyond its text (see `requestBytes`). */
const DELIVERY_OVERHEAD_BYTES = 512

/**
 * What a request's head costs against `maxBytes`: header names and values, the target, and the
 * objects a kept delivery is held in. bench/memory.bench.mjs measures ~375 bytes of those beyond
 * the text for a plain delivery and ~830 for a verified one (its header object): 512 keeps the
 * count within 20% of the memory a delivery really holds.
 */
function requestBytes(rawHeaders: readonly string[], target: string | undefined): number {
  // Stryker disable next-line OptionalChaining: node:http always sets the target of a request it parsed
  let n = DELIVERY_OVERHEAD_BYTES + (target?.length ?? 0)
  for (const part of rawHeaders) n += part.length
  return n
}

// Endpoint ids are unguessable (a side-car receiver's paths act as capabilities); random bytes
// are drawn and encoded in batches because one randomBytes call (or one base64 encoding) per
// endpoint dominated start-up cost. 9 bytes are exactly 12 base64url characters.
let idPool = ''
let idOffset = 0
const ID_CHARS = 12

function endpointId(): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: refilling the pool early (or on every id) only costs speed
  if (idOffset + ID_CHARS > idPool.length) {
    // Stryker disable next-line ArithmeticOperator: the pool's size is only speed; any whole number of ids fills it
    idPool = randomBytes((ID_CHARS / 4) * 3 * 256).toString('base64url')
    idOffset = 0
  }
  idOffset += ID_CHARS
  const id = idPool.slice(idOffset - ID_CHARS, idOffset)
  // An id is pasted into shell commands (`hookwright export --endpoint ID`), where a leading "-"
  // reads as an option: the first character is a letter or digit (~71 random bits remain).
  const first = id.charCodeAt(0)
  return first === 45 || first === 95 ? `${ID_FIRST[first & 31]}${id.slice(1)}` : id
}
const ID_FIRST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
