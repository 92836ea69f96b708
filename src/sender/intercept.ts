// Reached only through `hookwright/msw`: the one module that loads msw, an optional peer.
import { randomBytes } from 'node:crypto'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { clearTimeout, setTimeout } from 'node:timers'
import type { http as mswHttp } from 'msw'
import type { SetupServer, setupServer as mswSetupServer } from 'msw/node'
import { Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici'
import { createDelivery, type Delivery } from '../delivery.js'
import { HookwrightError, invalidOption } from '../errors.js'
import { reportUnawaited } from '../unawaited.js'
import { createResponder, type ResolvedStep } from '../receiver/script.js'
import { createDeliveryStore } from '../receiver/store.js'
import type { DeliverySource, RespondStep, WaitForOptions } from '../receiver/types.js'

// msw is an optional peer: loaded here, when `hookwright/msw` is imported, so that a project
// without it is told what to install instead of getting ERR_MODULE_NOT_FOUND from a static import.
const { http, setupServer } = loadMsw()

function loadMsw(): { http: typeof mswHttp; setupServer: typeof mswSetupServer } {
  const load = createRequire(import.meta.url)
  try {
    return {
      http: (load('msw') as { http: typeof mswHttp }).http,
      setupServer: (load('msw/node') as { setupServer: typeof mswSetupServer }).setupServer,
    }
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string }
    if (code === 'MODULE_NOT_FOUND' && /['"]msw(\/node)?['"]/.test(message ?? '')) {
      throw new HookwrightError(
        'HOOKWRIGHT_MISSING_DEPENDENCY',
        'hookwright/msw needs msw: npm i -D msw',
        { cause: error },
      )
    }
    throw error
  }
}

/** The interceptor now capturing, if any: msw intercepts once per process. */
let active: { label: string; site: string } | undefined

export interface InterceptWebhooksOptions {
  /** Capture requests to this origin (or these), e.g. `https://hooks.example.com`. */
  origin?: string | readonly string[]
  /** Or decide per request; with `origin`, both must agree. */
  match?: (url: URL, request: Request) => boolean
  /** The response script, as for a receiver endpoint. Default 200. */
  respond?: RespondStep | readonly RespondStep[]
  /** Also capture requests to 127.0.0.1, ::1 and localhost (a local receiver is left alone by default). */
  includeLocal?: boolean
  /** Store bounds, as for a receiver. */
  maxDeliveries?: number
  maxBytes?: number
  /** A label for messages. */
  name?: string
  /**
   * Your own msw server (`setupServer(...)`), when the suite has one: the interceptor adds its
   * handler to it with `server.use()` instead of starting a second msw server (two conflict,
   * and the first stops answering). Your handlers keep answering everything else.
   */
  server?: SetupServer
}

/**
 * The captured outbound webhooks of the test process: a `DeliverySource`, so `waitFor`,
 * `expectWebhook` and the matchers work on it as on a receiver endpoint.
 */
export interface WebhookInterceptor extends DeliverySource {
  /** The origin, when exactly one was given (assertions use it to verify URL-signing schemes). */
  readonly url: string | undefined
  /** How many deliveries the store bounds have dropped. */
  readonly dropped: number
  /** Forget the deliveries and restart the attempt count and response script. */
  clear(): void
  /** Stop intercepting: fetch, undici and node:http go to the network again. */
  close(): Promise<void>
  /** The same as `close()`, named as in msw and nock. */
  restore(): Promise<void>
}

const OPTION_KEYS = new Set([
  'origin',
  'match',
  'respond',
  'includeLocal',
  'maxDeliveries',
  'maxBytes',
  'name',
  'server',
])
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/**
 * Captures the webhooks your code sends, inside the test process and with no socket: requests
 * made with `fetch`, `node:http`/`https` (through msw's `setupServer`) and undici's `request`
 * (through the global dispatcher) to the given origin become `Delivery` objects, answered by a
 * response script. Requests to a local receiver pass through unless `includeLocal` is set.
 *
 * @example
 * const hooks = interceptWebhooks({ origin: 'https://hooks.example.com', respond: [500, 200] })
 * await notifyCustomer(order)                      // your code, which retries on 500
 * const [first, second] = await hooks.waitFor({ count: 2 })
 * await hooks.close()
 */
export function interceptWebhooks(options: InterceptWebhooksOptions): WebhookInterceptor {
  if (options === null || typeof options !== 'object') {
    invalidOption('interceptWebhooks(options)', 'an object { origin | match, respond? }', options)
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      invalidOption(`interceptWebhooks({ ${key} })`, `one of ${[...OPTION_KEYS].join(', ')}`, key)
    }
  }
  const origins = checkOrigins(options.origin)
  const { match, includeLocal = false } = options
  if (match !== undefined && typeof match !== 'function') {
    invalidOption('match', 'a function (url, request) => boolean', match)
  }
  if (origins === undefined && match === undefined) {
    invalidOption(
      'origin',
      'an origin such as "https://hooks.example.com", or a `match` function',
      undefined,
    )
  }
  const own = options.server
  if (
    own !== undefined &&
    (own === null || typeof own !== 'object' || typeof own.use !== 'function')
  ) {
    invalidOption('server', "an msw server from setupServer() ('msw/node')", own)
  }
  if (active) {
    throw new HookwrightError(
      'HOOKWRIGHT_ALREADY_INTERCEPTING',
      `interceptWebhooks: ${active.label} (made ${active.site || 'earlier'}) is still intercepting. ` +
        'Close it first (`await hooks.close()`, e.g. in afterEach), or give one interceptor ' +
        'every origin: interceptWebhooks({ origin: [a, b] }).',
    )
  }
  if (own === undefined && hasForeignMswServer()) {
    throw new HookwrightError(
      'HOOKWRIGHT_ALREADY_INTERCEPTING',
      'interceptWebhooks: an msw server of your own is already listening, and a second one ' +
        'would take its requests. Pass it: interceptWebhooks({ origin, server }).',
    )
  }
  const respond = createResponder(options.respond)
  const id = `msw_${randomBytes(6).toString('base64url')}`
  const label = options.name
    ? `interceptor "${options.name}"`
    : `interceptor ${origins?.join(', ') ?? '(match)'}`
  const store = createDeliveryStore({
    label,
    ...(options.maxDeliveries !== undefined ? { maxDeliveries: options.maxDeliveries } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  })
  let attempts = 0
  let closed = false
  // Answers held back (delays and hangs), released on close so no request is left pending.
  const pending = new Set<() => void>()

  const captures = (url: URL, request: Request): boolean => {
    if (closed) return false
    if (!includeLocal && LOCAL_HOSTS.has(url.hostname)) return false
    if (origins !== undefined && !origins.includes(url.origin)) return false
    return match === undefined || match(url, request) === true
  }

  /** Records a captured request and answers it by the script. */
  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const receivedAt = Date.now()
    const rawBody = new Uint8Array(await request.arrayBuffer())
    const attempt = ++attempts
    const step = respond(attempt)
    store.add(toDelivery(request, url, rawBody, attempt, receivedAt, step, id))
    if (step.delayMs > 0 || step.action === 'hang') {
      const released = await holdBack(
        step.action === 'hang' ? undefined : step.delayMs,
        request.signal,
      )
      if (!released) return Response.error()
    }
    if (step.action !== 'respond') return Response.error()
    return new Response(step.body.byteLength > 0 ? Buffer.from(step.body) : null, {
      status: step.status,
      headers: step.headers,
    })
  }

  /** Resolves true after `ms`, or false if the request is aborted or the interceptor closes. */
  function holdBack(ms: number | undefined, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const finish = (value: boolean) => {
        if (timer) clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        pending.delete(onAbort)
        resolve(value)
      }
      const onAbort = () => finish(false)
      if (signal.aborted) return finish(false)
      signal.addEventListener('abort', onAbort)
      pending.add(onAbort)
      // node:timers, so a test's fake timers do not freeze a scripted delay.
      if (ms !== undefined) timer = setTimeout(() => finish(true), ms)
    })
  }

  // Returning undefined lets msw pass the request on (to the user's handlers, or the network).
  const handler = http.all('*', async ({ request }) =>
    captures(new URL(request.url), request) ? answer(request) : undefined,
  )
  let server: SetupServer | undefined
  if (own) {
    // Stays in the user's server after close, inert (captures() is false once closed).
    own.use(handler)
  } else {
    const started = setupServer(handler)
    started.listen({ onUnhandledRequest: 'bypass' })
    server = started
    // msw patches http.request on the CommonJS module; this makes `import { request } from
    // 'node:https'` see the patch too (and, on close, the original again).
    syncBuiltinESMExports()
  }
  const site: { stack?: string } = {}
  Error.captureStackTrace(site, interceptWebhooks)
  active = { label, site: /\n\s*(at .*)/.exec(site.stack ?? '')?.[1] ?? '' }
  const mine = active
  // msw does not see undici's own `request`: wrap the global dispatcher for the same capture.
  const original = getGlobalDispatcher()
  setGlobalDispatcher(new InterceptingDispatcher(original, captures, answer))

  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    for (const release of pending) release()
    if (server) {
      server.close()
      syncBuiltinESMExports()
    }
    setGlobalDispatcher(original)
    if (active === mine) active = undefined
    reportUnawaited([interceptor])
    store.close(`${label} is closed.`)
  }

  const interceptor: WebhookInterceptor = {
    label,
    url: origins?.length === 1 ? origins[0] : undefined,
    get deliveries() {
      return store.deliveries
    },
    get dropped() {
      return store.dropped
    },
    waitFor: (waitOptions?: WaitForOptions) => store.waitFor(waitOptions),
    clear() {
      store.clear()
      attempts = 0
    },
    close,
    restore: close,
  }
  return interceptor
}

/** True when msw's fetch interception is on with no interceptor of ours: the user's own server. */
function hasForeignMswServer(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('fetch-interceptor')] !== undefined
}

function checkOrigins(origin: InterceptWebhooksOptions['origin']): string[] | undefined {
  if (origin === undefined) return undefined
  const list = typeof origin === 'string' ? [origin] : origin
  if (!Array.isArray(list) || list.length === 0) {
    invalidOption('origin', 'an origin string or a non-empty list of them', origin)
  }
  return list.map((o, i) => {
    const where = typeof origin === 'string' ? 'origin' : `origin[${i}]`
    if (typeof o !== 'string' || !URL.canParse(o)) {
      invalidOption(where, 'an origin such as "https://hooks.example.com"', o)
    }
    return new URL(o).origin
  })
}

function toDelivery(
  request: Request,
  url: URL,
  rawBody: Uint8Array,
  attempt: number,
  receivedAt: number,
  step: ResolvedStep,
  endpoint: string,
): Delivery {
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  // On the wire a Host header is always there; keep it so a delivery says where it was going.
  headers.host ??= url.host
  const query: Record<string, string | string[]> = {}
  for (const [key, value] of url.searchParams) {
    const prev = query[key]
    query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return createDelivery({
    id: `d_${randomBytes(8).toString('base64url')}`,
    endpoint,
    attempt,
    receivedAt,
    method: request.method,
    path: url.pathname,
    query,
    headers,
    rawBody,
    response: {
      status: step.action === 'respond' ? step.status : 0,
      headers: step.headers,
      delayMs: step.delayMs,
      action: step.action,
    },
  })
}

type LegacyHandler = {
  onConnect?(abort: (reason?: Error) => void, context?: object): void
  onHeaders?(status: number, headers: Buffer[], resume: () => void, statusText: string): boolean
  onData?(chunk: Buffer): boolean
  onComplete?(trailers: Buffer[] | null): void
  onError?(error: Error): void
}
type ModernHandler = {
  onRequestStart?(controller: object, context: object): void
  onResponseStart?(controller: object, status: number, headers: object, statusText: string): void
  onResponseData?(controller: object, chunk: Buffer): void
  onResponseEnd?(controller: object, trailers: object): void
  onResponseError?(controller: object, error: Error): void
}

/**
 * A dispatcher in front of the global one: captured requests are answered by the interceptor,
 * everything else goes on to the dispatcher that was there before.
 */
class InterceptingDispatcher extends Dispatcher {
  constructor(
    private readonly inner: Dispatcher,
    private readonly captures: (url: URL, request: Request) => boolean,
    private readonly handle: (request: Request) => Promise<Response>,
  ) {
    super()
  }

  override dispatch(
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const url = new URL(opts.path, opts.origin)
    const request = toRequest(url, opts)
    if (request === undefined) return this.inner.dispatch(opts, handler)
    const abort = new AbortController()
    const fetchRequest = new Request(request.url, { ...request.init, signal: abort.signal })
    if (!this.captures(url, fetchRequest)) return this.inner.dispatch(opts, handler)
    void this.answer(fetchRequest, opts, handler, abort).catch((error: Error) =>
      fail(handler, error, abort),
    )
    return true
  }

  private async answer(
    request: Request,
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    abort: AbortController,
  ): Promise<void> {
    const modern = handler as ModernHandler
    const legacy = handler as LegacyHandler
    const controller = {
      abort: (reason?: Error) => abort.abort(reason),
      pause() {},
      resume() {},
      get aborted() {
        return abort.signal.aborted
      },
      paused: false,
      reason: null,
    }
    if (modern.onRequestStart) modern.onRequestStart(controller, {})
    else legacy.onConnect?.((reason) => abort.abort(reason), {})
    const body = await readBody(opts.body)
    const response = await this.handle(
      new Request(request, body.byteLength > 0 ? { body: Buffer.from(body) } : {}),
    )
    if (response.type === 'error') {
      const reason = abort.signal.aborted ? abort.signal.reason : undefined
      throw reason instanceof Error ? reason : socketError()
    }
    const bytes = Buffer.from(await response.arrayBuffer())
    const headers: Record<string, string> = {}
    const raw: Buffer[] = []
    response.headers.forEach((value, name) => {
      headers[name] = value
      raw.push(Buffer.from(name), Buffer.from(value))
    })
    if (modern.onResponseStart) {
      modern.onResponseStart(controller, response.status, headers, response.statusText)
      if (bytes.byteLength > 0) modern.onResponseData?.(controller, bytes)
      modern.onResponseEnd?.(controller, {})
    } else {
      legacy.onHeaders?.(response.status, raw, () => {}, response.statusText)
      if (bytes.byteLength > 0) legacy.onData?.(bytes)
      legacy.onComplete?.([])
    }
  }

  override close(): Promise<void> {
    // The wrapped dispatcher belongs to the process; it is put back, not closed.
    return Promise.resolve()
  }

  override destroy(): Promise<void> {
    return Promise.resolve()
  }
}

function fail(handler: Dispatcher.DispatchHandler, error: Error, abort: AbortController): void {
  const modern = handler as ModernHandler
  if (modern.onResponseError) modern.onResponseError({ abort: () => abort.abort() }, error)
  else (handler as LegacyHandler).onError?.(error)
}

function socketError(): Error {
  return Object.assign(new Error('The connection was reset (response script step "reset").'), {
    code: 'ECONNRESET',
  })
}

/** The request as a fetch Request (without its body yet), or undefined if it is not one to look at. */
function toRequest(
  url: URL,
  opts: Dispatcher.DispatchOptions,
): { url: string; init: RequestInit } | undefined {
  if (opts.upgrade || opts.method === 'CONNECT') return undefined
  const headers = new Headers()
  const source = opts.headers as unknown
  if (Array.isArray(source)) {
    for (let i = 0; i + 1 < source.length; i += 2)
      headers.append(String(source[i]), String(source[i + 1]))
  } else if (source && typeof source === 'object') {
    const entries =
      Symbol.iterator in source
        ? [...(source as Iterable<[string, string]>)]
        : Object.entries(source as Record<string, unknown>)
    for (const [name, value] of entries) {
      if (value === undefined || value === null) continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v))
    }
  }
  return { url: url.href, init: { method: opts.method, headers } }
}

async function readBody(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0)
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return body
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = []
    for await (const chunk of body as AsyncIterable<unknown>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array))
    }
    return Buffer.concat(chunks)
  }
  // FormData, Blob, URLSearchParams: let the fetch Response encode them.
  return new Uint8Array(await new Response(body as BodyInit).arrayBuffer())
}
