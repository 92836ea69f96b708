import type { request as undiciRequest } from 'undici'
import { deliveryFromJSON, type Delivery, type DeliveryJSON } from '../delivery.js'
import { HookwrightError, invalidOption, type HookwrightErrorCode } from '../errors.js'
import { endpointView } from '../receiver/endpoint.js'
import { createDeliveryStore, type DeliveryStore } from '../receiver/store.js'
import type {
  DeliverySource,
  Endpoint,
  EndpointOptions,
  WaitForOptions,
} from '../receiver/types.js'
import { loadUndici } from '../undici.js'
import { CONTROL_PREFIX, type ControlInfo, type EndpointJSON } from './control.js'
import { readEvents } from './events.js'

/** Options of `connectReceiver`. */
export interface ConnectOptions {
  /** The receiver's control token (`control: { token }`, `hookwright listen --token`). */
  token?: string
  /**
   * Start with the deliveries the receiver already keeps (default true), so `deliveries`
   * reads the same as on the receiver itself. `false` starts empty, at the moment of connecting.
   */
  replay?: boolean
  /** Milliseconds to wait for the receiver to answer a request or the stream to start. Default 10,000. */
  timeout?: number
  /** Bound of the local copy of the deliveries. Default 10,000. */
  maxDeliveries?: number
  /** Bound of the local copy's body bytes. Default 256 MiB. */
  maxBytes?: number
}

/**
 * An endpoint minted on a remote receiver. Its deliveries arrive over the receiver's event
 * stream, so `deliveries` and `waitFor` work as on a local endpoint.
 *
 * @example
 * const ep = await remote.endpoint({ respond: [500, 200] })
 * const [failed, ok] = await ep.waitFor({ count: 2 })
 * await ep.clear() // attempt 1 again, on the receiver too
 */
export interface RemoteEndpoint extends Endpoint {
  /** Forget this endpoint's deliveries here and restart its attempt count and script on the receiver. */
  clear(): Promise<void>
}

/**
 * A receiver running in another process (a vitest `globalSetup`, a CI side-car), used through
 * its control API. The same shape as `Receiver`, except that `endpoint`, `getEndpoint` and
 * `clear` talk to the server and so return promises: `await receiver.endpoint()` works for
 * both kinds.
 *
 * @example
 * const remote = await connectReceiver('http://127.0.0.1:4400', { token })
 * const ep = await remote.endpoint({ verify: { scheme: 'github', secret } })
 * remote.on('delivery', (d) => console.log(d.method, d.path))
 * await remote.close() // its endpoints go; the receiver keeps running
 */
export interface RemoteReceiver extends DeliverySource {
  /** The URL given to `connectReceiver`, without the control path. */
  readonly url: string
  /** What the receiver said about itself when we connected. */
  readonly info: ControlInfo
  /** How many deliveries the local copy's bound has dropped. */
  readonly dropped: number
  /** Mint an endpoint on the receiver; `verify.scheme` must be a scheme name. */
  endpoint(options?: EndpointOptions): Promise<RemoteEndpoint>
  /** An endpoint of this receiver by id (minted here or by another process), or undefined. */
  getEndpoint(id: string): Promise<RemoteEndpoint | undefined>
  on(event: 'delivery', listener: (delivery: Delivery) => void): this
  off(event: 'delivery', listener: (delivery: Delivery) => void): this
  /** Forget the deliveries kept here and clear the endpoints minted here on the receiver. */
  clear(): Promise<void>
  /** Close the endpoints minted here and every connection; the receiver keeps running. */
  close(): Promise<void>
}

const DEFAULT_TIMEOUT = 10_000
/** Delays before each attempt to get a dropped event stream back. */
const RECONNECT_DELAYS = [50, 100, 250, 500, 1000]

/**
 * Connects to a receiver started elsewhere with `control` on, and returns the receiver
 * interface over HTTP. Resolves once the event stream is live, so no delivery that reaches the
 * receiver after this resolves can be missed.
 *
 * @example
 * // vitest globalSetup: project.provide('hookwrightUrl', receiver.url)
 * const receiver = await connectReceiver(inject('hookwrightUrl'), { token: process.env.HOOKWRIGHT_TOKEN })
 * const ep = await receiver.endpoint({ verify: { scheme: 'stripe', secret } })
 * await triggerMyApp(ep.url)
 * const [d] = await ep.waitFor({ timeout: 5000 })
 * await receiver.close()
 */
export async function connectReceiver(
  url: string | URL,
  options: ConnectOptions = {},
): Promise<RemoteReceiver> {
  const base = receiverBase(url)
  const shown = `${base.protocol}//${base.host}${base.pathname.replace(/\/$/, '')}`
  const { token, replay = true, timeout = DEFAULT_TIMEOUT } = options
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    invalidOption('connectReceiver({ token })', 'a non-empty string', token, { secret: true })
  }
  if (!Number.isInteger(timeout) || timeout < 1) {
    invalidOption('connectReceiver({ timeout })', 'milliseconds, an integer >= 1', timeout)
  }
  const label = `receiver ${shown} (remote)`
  const store = createDeliveryStore({
    label,
    maxDeliveries: options.maxDeliveries,
    maxBytes: options.maxBytes,
  })
  const { Agent, request } = await loadUndici()
  const agent = new Agent({ headersTimeout: timeout, connectTimeout: timeout })
  const endpoints = new Map<
    string,
    { endpoint: RemoteEndpoint; store: DeliveryStore; owned: boolean }
  >()
  const listeners = new Set<(delivery: Delivery) => void>()
  const stream = new AbortController()
  let closing = false
  let lost: HookwrightError | undefined
  let lastId: string | undefined

  const authHeaders: Record<string, string> =
    token === undefined ? {} : { authorization: `Bearer ${token}` }

  /** One control request; with `missing`, a 404 resolves to undefined instead of failing. */
  async function call<T>(method: string, path: string, body?: unknown): Promise<T>
  async function call<T>(
    method: string,
    path: string,
    body: unknown,
    missing: true,
  ): Promise<T | undefined>
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    missing = false,
  ): Promise<T | undefined> {
    const target = new URL(`${CONTROL_PREFIX.slice(1)}${path}`, base)
    const what = `${method} ${target.pathname}${target.search}`
    let res: Awaited<ReturnType<typeof undiciRequest>>
    try {
      res = await request(target, {
        method: method as 'GET',
        dispatcher: agent,
        headers: {
          ...authHeaders,
          // The receiver takes state changes only as JSON (a defence against other sites).
          ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      throw unreachable(what, error)
    }
    let parsed: unknown
    const text = await res.body.text().catch((error: unknown) => {
      throw unreachable(what, error)
    })
    try {
      parsed = JSON.parse(text)
    } catch {
      throw remoteError(
        `${what} on ${shown} answered ${res.statusCode} with a body that is not JSON: is this a hookwright receiver with control on?`,
      )
    }
    if (missing && res.statusCode === 404) return undefined
    if (res.statusCode >= 400) throw refusal(what, res.statusCode, parsed)
    return parsed as T
  }

  function refusal(what: string, status: number, body: unknown): HookwrightError {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
    const message = typeof error?.message === 'string' ? error.message : `status ${status}`
    if (status === 401) {
      return remoteError(
        token === undefined
          ? `The receiver at ${shown} needs a control token (${what} answered 401): pass connectReceiver(url, { token }).`
          : `The receiver at ${shown} refused the control token given to connectReceiver (${what} answered 401: ${message})`,
      )
    }
    // The receiver's own misuse errors (a bad option, an unknown scheme) keep their code.
    if (status === 400 && typeof error?.code === 'string' && error.code.startsWith('HOOKWRIGHT_')) {
      return new HookwrightError(error.code as HookwrightErrorCode, message)
    }
    return remoteError(`${what} on ${shown} failed with ${status}: ${message}`)
  }

  function unreachable(what: string, error: unknown): HookwrightError {
    const cause =
      error instanceof Error
        ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
        : String(error)
    return new HookwrightError(
      'HOOKWRIGHT_REMOTE',
      `Could not reach the hookwright receiver at ${shown} (${what}): ${cause}`,
      { cause: error },
    )
  }

  function remoteError(message: string): HookwrightError {
    return new HookwrightError('HOOKWRIGHT_REMOTE', message)
  }

  function receive(json: DeliveryJSON): void {
    const delivery = deliveryFromJSON(json)
    lastId = delivery.id
    store.add(delivery)
    const own = delivery.endpoint === null ? undefined : endpoints.get(delivery.endpoint)
    own?.store.add(delivery)
    for (const listener of [...listeners]) {
      try {
        listener(delivery)
      } catch (error) {
        // A throwing listener must not stop the stream; it surfaces as an uncaught error.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }

  /**
   * Opens the event stream and resolves once the receiver has sent its history and says
   * `ready`; the deliveries then keep flowing in the background until `close()`.
   */
  async function openStream(
    resume: boolean,
    signal: AbortSignal,
  ): Promise<{ done: Promise<void> }> {
    const query = new URLSearchParams()
    // Resuming with no id at all means the receiver kept nothing when we connected: everything
    // it keeps now arrived since.
    if (resume ? lastId === undefined : replay) query.set('replay', '1')
    const target = new URL(`${CONTROL_PREFIX.slice(1)}events?${query}`, base)
    const what = `GET ${target.pathname}${target.search}`
    const headers: Record<string, string> = { ...authHeaders, accept: 'text/event-stream' }
    if (resume && lastId !== undefined) headers['last-event-id'] = lastId
    let res: Awaited<ReturnType<typeof undiciRequest>>
    try {
      res = await request(target, {
        dispatcher: agent,
        headers,
        bodyTimeout: 0,
        signal,
      })
    } catch (error) {
      throw unreachable(what, error)
    }
    if (res.statusCode !== 200) {
      const text = await res.body.text().catch(() => '')
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      throw refusal(what, res.statusCode, body)
    }
    // After a reconnect the receiver may resend what we have (if our last id was dropped there).
    let seen = resume ? new Set(store.deliveries.map((d) => d.id)) : undefined
    let ready!: () => void
    let failed!: (error: unknown) => void
    const started = new Promise<void>((resolve, reject) => {
      ready = resolve
      failed = reject
    })
    const done = (async () => {
      try {
        for await (const event of readEvents(res.body)) {
          if (event.event === 'delivery') {
            const json = JSON.parse(event.data) as DeliveryJSON
            if (!seen?.has(json.id)) receive(json)
          } else if (event.event === 'ready') {
            seen = undefined
            lastId ??= (JSON.parse(event.data) as { lastId?: string | null }).lastId ?? undefined
            ready()
          }
        }
        failed(remoteError(`The event stream of ${shown} ended before it was ready.`))
      } catch (error) {
        failed(error)
        throw error
      }
    })()
    done.catch(() => {})
    await started
    // Wrapped: a promise resolved with a promise would wait for the whole stream.
    return { done }
  }

  /** `openStream` with a deadline; a stream that misses it is cut off, not left open. */
  async function startStream(resume: boolean): Promise<{ done: Promise<void> }> {
    const attempt = new AbortController()
    try {
      return await withDeadline(
        openStream(resume, AbortSignal.any([stream.signal, attempt.signal])),
        timeout,
        () => remoteError(`The event stream of ${shown} did not start within ${timeout} ms.`),
      )
    } catch (error) {
      attempt.abort()
      throw error
    }
  }

  async function follow(done: Promise<void>): Promise<void> {
    let cause: unknown
    for (;;) {
      try {
        await done
        cause = new Error('the receiver ended the stream')
      } catch (error) {
        cause = error
      }
      if (closing) return
      let reopened: { done: Promise<void> } | undefined
      for (const delay of RECONNECT_DELAYS) {
        try {
          // close() aborts the signal, which cuts this pause short.
          await sleep(delay, stream.signal)
          reopened = await startStream(true)
          break
        } catch (error) {
          if (closing) return
          cause = error
        }
      }
      if (!reopened) break
      done = reopened.done
    }
    const reason = cause instanceof Error ? cause.message : String(cause)
    lost = remoteError(`Lost the event stream of ${shown} and could not get it back: ${reason}`)
    store.close(lost.message)
    for (const { store: own } of endpoints.values()) own.close(lost.message)
  }

  // Failing fast on a wrong URL or token reads better than an event-stream error.
  const info = await call<ControlInfo>('GET', '').catch(async (error: unknown) => {
    await agent.destroy()
    throw error
  })
  let opened: { done: Promise<void> }
  try {
    opened = await startStream(false)
  } catch (error) {
    stream.abort()
    await agent.destroy()
    throw error
  }
  const following = follow(opened.done)

  async function waitOn(source: DeliveryStore, waitOptions?: WaitForOptions): Promise<Delivery[]> {
    try {
      return await source.waitFor(waitOptions)
    } catch (error) {
      if (lost && error instanceof HookwrightError && error.code === 'HOOKWRIGHT_CLOSED') {
        throw new HookwrightError('HOOKWRIGHT_REMOTE', error.message, { cause: lost })
      }
      throw error
    }
  }

  function adopt(
    json: EndpointJSON,
    endpointOptions: EndpointOptions,
    owned: boolean,
  ): RemoteEndpoint {
    const known = endpoints.get(json.id)
    if (known) return known.endpoint
    const endpointUrl = new URL(`.${json.path}`, base).href
    const own = createDeliveryStore({
      // Named as a local endpoint is, so messages read the same either way.
      label: json.name ? `endpoint "${json.name}" ${endpointUrl}` : `endpoint ${endpointUrl}`,
      maxDeliveries: options.maxDeliveries,
      maxBytes: options.maxBytes,
    })
    for (const d of store.deliveries) if (d.endpoint === json.id) own.add(d)
    let closed = false
    const endpoint: RemoteEndpoint = {
      id: json.id,
      path: json.path,
      url: endpointUrl,
      label: own.label,
      options: endpointOptions,
      get deliveries() {
        return own.deliveries
      },
      waitFor: (waitOptions) => waitOn(own, waitOptions),
      async clear() {
        own.clear()
        await call('DELETE', `deliveries?endpoint=${encodeURIComponent(json.id)}`)
      },
      async close() {
        if (closed) return
        closed = true
        endpoints.delete(json.id)
        own.close(`Endpoint ${endpointUrl} is closed.`)
        // Already gone on the receiver (404) is what we wanted.
        await call('DELETE', `endpoints/${encodeURIComponent(json.id)}`, undefined, true)
      },
    }
    // Logged or serialised, it shows no secret.
    Object.defineProperties(endpoint, {
      toJSON: { value: () => endpointView(endpoint) },
      [Symbol.for('nodejs.util.inspect.custom')]: {
        value: (_d: number, o: object, inspect: (v: unknown, o: object) => string) =>
          `Endpoint ${inspect(endpointView(endpoint), o)}`,
      },
    })
    endpoints.set(json.id, { endpoint, store: own, owned })
    return endpoint
  }

  const remote: RemoteReceiver = {
    url: shown,
    label,
    info,
    get deliveries() {
      return store.deliveries
    },
    get dropped() {
      return store.dropped
    },
    waitFor: (waitOptions) => waitOn(store, waitOptions),
    async endpoint(endpointOptions = {}) {
      if (closing) throw new HookwrightError('HOOKWRIGHT_CLOSED', `${label} is closed.`)
      const scheme = endpointOptions.verify?.scheme
      if (scheme !== undefined && typeof scheme !== 'string') {
        invalidOption(
          'endpoint({ verify: { scheme } })',
          'a scheme name such as "stripe" (a remote receiver cannot take a scheme object)',
          scheme,
        )
      }
      const json = await call<EndpointJSON>('POST', 'endpoints', endpointOptions)
      return adopt(json, endpointOptions, true)
    },
    async getEndpoint(id) {
      const known = endpoints.get(id)
      if (known) return known.endpoint
      const json = await call<EndpointJSON>(
        'GET',
        `endpoints/${encodeURIComponent(id)}`,
        undefined,
        true,
      )
      return json && adopt(json, json.options as EndpointOptions, false)
    },
    on(event, listener) {
      if (event !== 'delivery') invalidOption('on(event)', '"delivery"', event)
      listeners.add(listener)
      return remote
    },
    off(event, listener) {
      if (event !== 'delivery') invalidOption('off(event)', '"delivery"', event)
      listeners.delete(listener)
      return remote
    },
    async clear() {
      store.clear()
      await Promise.all(
        [...endpoints.values()].filter((e) => e.owned).map((e) => e.endpoint.clear()),
      )
    },
    async close() {
      if (closing) return
      closing = true
      const own = [...endpoints.values()].filter((e) => e.owned).map((e) => e.endpoint)
      const results = await Promise.allSettled(own.map((ep) => ep.close()))
      stream.abort()
      await following
      store.close(`${label} is closed.`)
      for (const { store: other } of endpoints.values()) other.close(`${label} is closed.`)
      await agent.close()
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      // The receiver may be gone already (its process ended first); that closes our endpoints too.
      if (
        failure &&
        !(failure.reason instanceof HookwrightError && failure.reason.code === 'HOOKWRIGHT_REMOTE')
      ) {
        throw failure.reason
      }
    },
  }
  return remote
}

/** The receiver's root URL, accepting `http://host:port`, with or without `/_hookwright/`. */
function receiverBase(url: string | URL): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    invalidOption(
      'connectReceiver(url)',
      'an absolute http(s) URL such as "http://127.0.0.1:4400"',
      url,
    )
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    invalidOption('connectReceiver(url)', 'an http: or https: URL', String(url))
  }
  const path = parsed.pathname.replace(/\/_hookwright\/?$/, '/').replace(/\/?$/, '/')
  return new URL(`${parsed.protocol}//${parsed.host}${path}`)
}

/** Waits `ms`, cut short (rejecting) by `signal`; node:timers/promises loads on first use. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  const { setTimeout } = await import('node:timers/promises')
  await setTimeout(ms, undefined, { signal })
}

async function withDeadline<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  const timer = new AbortController()
  const deadline = sleep(ms, timer.signal).then(
    () => Promise.reject(error()),
    () => new Promise<never>(() => {}),
  )
  try {
    return await Promise.race([work, deadline])
  } finally {
    timer.abort()
  }
}
