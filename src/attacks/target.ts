import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { clearTimeout, setTimeout } from 'node:timers'
import type { Dispatcher } from 'undici'
import { invalidOption } from '../errors.js'
import { checkUrl, deliver, type DeliverOutcome } from '../sender/deliver.js'
import { loadUndici } from '../undici.js'

/** A Node request listener: `http.createServer(listener)`, an Express or Connect app. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: unknown) => unknown

/**
 * A fetch handler: Hono's `app.fetch`, a Next.js App Router `POST`, a Cloudflare Workers
 * `fetch`. Called in-process, with no socket.
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>

/**
 * What `checkReceiver` and `simulateProvider` can test:
 * - a URL of a running receiver (`http://127.0.0.1:3000/webhooks/stripe`);
 * - a Node request listener or an Express/Connect app (a function of two or more parameters),
 *   or a Fastify instance: served on an ephemeral 127.0.0.1 port for the run, closed after;
 * - a fetch handler (a function of one parameter), or any object with a `fetch` method (a
 *   Hono app, a Workers module, `{ fetch: POST }` for a handler that declares more parameters):
 *   called in-process.
 */
export type ReceiverTarget =
  | string
  | URL
  | NodeListener
  | FetchHandler
  | { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> }
  | { routing: NodeListener; ready: () => PromiseLike<unknown> }

/** One request to send, built by a case (internal). */
export interface TargetRequest {
  /** Absolute URL (the target's own, or one a URL-signing scheme signed). */
  url: string
  method: string
  headers: Record<string, string>
  body: string | Uint8Array
  timeoutMs: number
}

/** A target opened for a run: where requests go, how to send one, and how to let go of it. */
export interface OpenTarget {
  /** The URL requests are addressed to (for a fetch handler, a URL that never hits a socket). */
  url: string
  /** `url`, `listener` (served for the run) or `fetch` (in-process). */
  kind: 'url' | 'listener' | 'fetch'
  send(request: TargetRequest): Promise<DeliverOutcome>
  close(): Promise<void>
}

/** The biggest answer body read from an in-process handler; the rest is not read. */
const MAX_ANSWER_BYTES = 1024 * 1024

/**
 * Opens a target for a run. `path` is appended to the origin of a served listener or an
 * in-process handler (`/webhooks`); a URL target is used as given.
 */
export async function openTarget(
  target: ReceiverTarget,
  options: { path?: string | undefined; dispatcher?: Dispatcher | undefined; option: string },
): Promise<OpenTarget> {
  const path = options.path ?? '/'
  if (typeof path !== 'string' || !path.startsWith('/')) {
    invalidOption('path', 'a path starting with "/", such as "/webhooks"', path)
  }
  if (typeof target === 'string' || target instanceof URL) {
    const url = checkUrl(typeof target === 'string' ? target : target.href, options.option)
    const own = await ownDispatcher(options.dispatcher)
    return {
      url,
      kind: 'url',
      send: (r) => deliverOver(r, options.dispatcher ?? own),
      close: async () => {
        await own?.close()
      },
    }
  }
  if (target !== null && typeof target === 'object') {
    const t = target as Record<string, unknown>
    if (typeof t.fetch === 'function') {
      const fn = t.fetch as (r: Request) => Response | Promise<Response>
      return fetchTarget((r) => fn.call(target, r), path)
    }
    if (typeof t.routing === 'function' && typeof t.ready === 'function') {
      // A Fastify instance: ready() loads its plugins; `routing` is its request listener.
      await (t.ready as () => PromiseLike<unknown>).call(target)
      const routing = t.routing as NodeListener
      return serveListener((req, res) => routing.call(target, req, res), path, options.dispatcher)
    }
  }
  if (typeof target === 'function') {
    // (req, res) or (req, res, next) is a Node listener; (request) is a fetch handler.
    if (target.length >= 2) return serveListener(target as NodeListener, path, options.dispatcher)
    return fetchTarget(target as FetchHandler, path)
  }
  return invalidOption(
    options.option,
    'a URL, a Node request listener or Express/Fastify app, or a fetch handler (request) => Response',
    target,
  )
}

/**
 * A dispatcher of our own when the global one is not npm undici's: Node's built-in fetch (used
 * by `new Request`, by a fetch handler, by the test itself) installs its own bundled undici as
 * the global dispatcher, and on Node 20 that one speaks an older handler API ("invalid onError
 * method"). Closed with the target.
 */
async function ownDispatcher(given: Dispatcher | undefined) {
  if (given) return undefined
  const undici = await loadUndici()
  if (undici.getGlobalDispatcher() instanceof undici.Dispatcher) return undefined
  return new undici.Agent()
}

function deliverOver(r: TargetRequest, dispatcher: Dispatcher | undefined) {
  return deliver(r.url, {
    method: r.method,
    headers: r.headers,
    body: r.body,
    timeoutMs: r.timeoutMs,
    dispatcher,
  })
}

async function serveListener(
  listener: NodeListener,
  path: string,
  dispatcher: Dispatcher | undefined,
): Promise<OpenTarget> {
  const server: Server = createServer((req, res) => {
    // An Express app given as a listener ends unknown routes itself; a bare listener that
    // throws must not take the process down with it.
    try {
      const out = listener(req, res) as { catch?: (f: (e: unknown) => void) => void } | undefined
      out?.catch?.(() => fail(res))
    } catch {
      fail(res)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const own = await ownDispatcher(dispatcher)
  return {
    url: `http://127.0.0.1:${port}${path}`,
    kind: 'listener',
    send: (r) => deliverOver(r, dispatcher ?? own),
    close: async () => {
      await own?.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

function fail(res: ServerResponse): void {
  // Stryker disable next-line ConditionalExpression: a status set after the head went out changes nothing on the wire
  if (!res.headersSent) res.statusCode = 500
  res.end()
}

function fetchTarget(handler: FetchHandler, path: string): OpenTarget {
  return {
    url: `http://127.0.0.1${path}`,
    kind: 'fetch',
    send: (r) => callHandler(handler, r),
    close: async () => {},
  }
}

/** Calls a fetch handler with a deadline, reads its answer (bounded), and times it. */
async function callHandler(handler: FetchHandler, r: TargetRequest): Promise<DeliverOutcome> {
  const started = performance.now()
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort()
      resolve('timeout')
    }, r.timeoutMs)
  })
  try {
    const request = new Request(r.url, {
      method: r.method,
      headers: r.headers,
      body: r.method === 'GET' || r.method === 'HEAD' ? null : (r.body as BodyInit),
      signal: controller.signal,
    })
    const answer = async () => {
      const res = await handler(request)
      if (!(res instanceof Response)) {
        throw new TypeError(`the handler returned ${typeof res}, not a Response`)
      }
      await drain(res)
      return res
    }
    const res = await Promise.race([answer(), deadline])
    const durationMs = performance.now() - started
    if (res === 'timeout') {
      return {
        error: { code: 'timeout', message: `No answer within ${r.timeoutMs} ms.` },
        responseHeaders: {},
        durationMs,
      }
    }
    const responseHeaders: Record<string, string> = {}
    res.headers.forEach((value, name) => (responseHeaders[name] = value))
    return { status: res.status, responseHeaders, durationMs }
  } catch {
    // A handler that throws is what a server turns into a 500 (Next.js, Hono, Workers do).
    return { status: 500, responseHeaders: {}, durationMs: performance.now() - started }
  } finally {
    clearTimeout(timer)
  }
}

async function drain(res: Response): Promise<void> {
  if (!res.body) return
  const reader = res.body.getReader()
  let read = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    read += value.byteLength
    // Stryker disable next-line EqualityOperator: stopping at exactly 1 MiB or one chunk later gives the same outcome
    if (read > MAX_ANSWER_BYTES) {
      await reader.cancel()
      return
    }
  }
}
