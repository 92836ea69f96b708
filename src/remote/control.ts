import type { IncomingMessage, ServerResponse } from 'node:http'
import { clearInterval, setInterval } from 'node:timers'
import pkg from '../../package.json' with { type: 'json' }
import { safeEqualString } from '../crypto.js'
import type { Delivery } from '../delivery.js'
import {
  headerCheck,
  jsonCheck,
  matchAll,
  methodCheck,
  pathCheck,
  type DeliveryCheck,
} from '../assert/checks.js'
import { HookwrightError, describeValue, invalidOption } from '../errors.js'
import { foreignBrowser } from '../receiver/guard.js'
import type {
  DeliveryMatcher,
  Endpoint,
  EndpointOptions,
  Receiver,
  ReceiverRoute,
} from '../receiver/types.js'

/** Where the control API lives on a receiver. */
export const CONTROL_PREFIX = '/_hookwright/'

/** Options of `controlRoute` (what `createReceiver({ control })` passes on). */
export interface ControlOptions {
  /** When set, every request needs `Authorization: Bearer <token>` (or `?token=`). */
  token?: string
  /** Milliseconds between the comment lines that keep an idle event stream open. Default 15,000. */
  heartbeatMs?: number
}

/** The error codes of the control API's JSON errors, besides the `HOOKWRIGHT_*` ones. */
export type ControlErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN_HOST'
  | 'FORBIDDEN_ORIGIN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'BAD_REQUEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL'

/** `GET /_hookwright/`: what the receiver is and holds. */
export interface ControlInfo {
  name: 'hookwright'
  version: string
  url: string
  /** Open endpoints minted through the control API. */
  endpoints: number
  /** Deliveries kept by the receiver. */
  deliveries: number
  /** Deliveries the receiver's store bound has dropped. */
  dropped: number
}

/** An endpoint as the control API shows it. Secrets are never sent back. */
export interface EndpointJSON {
  id: string
  path: string
  url: string
  name?: string
  /** Deliveries this endpoint keeps. */
  deliveries: number
  options: {
    verify?: { scheme: string; tolerance?: number }
    respond?: EndpointOptions['respond']
    methods?: readonly string[]
    maxBodyBytes?: number
  }
}

/** What `POST /_hookwright/wait` matches on: every field given must hold. */
export interface DeliveryPattern {
  method?: string
  /** The path without the query string, e.g. `/h/abc`. */
  path?: string
  /** Header values by name (case-insensitive names, exact values; repeated headers joined by ", "). */
  headers?: Record<string, string>
  /** A deep partial of the JSON body: objects match on the keys given, arrays element by element. */
  json?: unknown
}

const VERIFY_KEYS = new Set(['scheme', 'secret', 'secrets', 'tolerance'])
const WAIT_KEYS = new Set(['endpoint', 'count', 'timeout', 'match'])
const PATTERN_KEYS = new Set(['method', 'path', 'headers', 'json'])
const MAX_JSON_BODY = 1024 * 1024
const DEFAULT_HEARTBEAT_MS = 15_000
/** A stream whose reader has fallen this far behind is ended; it resumes with Last-Event-ID. */
const MAX_STREAM_BACKLOG = 16 * 1024 * 1024

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: ControlErrorCode | HookwrightError['code'],
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/**
 * The JSON control API and server-sent-events stream that `createReceiver({ control })` mounts
 * under `/_hookwright/`. It lets another process (a vitest worker, a CI job, the inspector
 * page) mint endpoints, read, clear and await deliveries, and follow them live.
 * Routes are listed in docs/ci.md ("Control API reference").
 *
 * @example
 * const receiver = await createReceiver({ routes: [controlRoute({ token: 's3cret' })] })
 * // same as createReceiver({ control: { token: 's3cret' } })
 */
export function controlRoute(options: ControlOptions = {}): ReceiverRoute {
  const { token } = options
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    invalidOption('control.token', 'a non-empty string', token, { secret: true })
  }
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 1) {
    invalidOption('control.heartbeatMs', 'an integer >= 1', heartbeatMs)
  }
  const minted = new Map<string, Endpoint>()
  const streams = new Set<() => void>()
  const waits = new Set<ServerResponse>()
  let closed = false

  function authorize(req: IncomingMessage, url: URL): void {
    if (token === undefined) return
    const header = headerValue(req.headers.authorization)
    const given =
      header === undefined ? url.searchParams.get('token') : /^bearer\s+(.*)$/i.exec(header)?.[1]
    if (header === undefined && given === null) {
      throw new ControlError(
        401,
        'UNAUTHORIZED',
        'This receiver needs a control token: send `Authorization: Bearer <token>` (or `?token=` for EventSource).',
        { 'www-authenticate': 'Bearer realm="hookwright"' },
      )
    }
    if (typeof given !== 'string' || !safeEqualString(given, token)) {
      throw new ControlError(401, 'UNAUTHORIZED', 'The control token does not match.', {
        'www-authenticate': 'Bearer realm="hookwright", error="invalid_token"',
      })
    }
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    receiver: Receiver,
    url: URL,
  ): Promise<void> {
    const rest = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '')
    const [resource = '', id, extra] = rest.split('/').map(decodeSegment)
    const method = req.method ?? 'GET'

    if (resource === '' && id === undefined) {
      allow(method, ['GET'])
      return sendJSON(res, 200, info(receiver))
    }
    if (resource === 'endpoints' && extra === undefined) {
      if (id === undefined) {
        allow(method, ['GET', 'POST'])
        if (method === 'GET') {
          return sendJSON(res, 200, { endpoints: openMinted(receiver).map(endpointJSON) })
        }
        const options = parseEndpointOptions(await readJSON(req))
        const ep = wrapMisuse(() => receiver.endpoint(options))
        minted.set(ep.id, ep)
        return sendJSON(res, 201, endpointJSON(ep))
      }
      allow(method, ['GET', 'DELETE'])
      const ep = findEndpoint(receiver, id)
      if (method === 'GET') return sendJSON(res, 200, endpointJSON(ep))
      await ep.close()
      minted.delete(ep.id)
      return sendJSON(res, 200, { id: ep.id, closed: true })
    }
    if (resource === 'deliveries' && id === undefined) {
      allow(method, ['GET', 'DELETE'])
      const endpointId = url.searchParams.get('endpoint') ?? undefined
      const ep = endpointId === undefined ? undefined : findEndpoint(receiver, endpointId)
      if (method === 'DELETE') {
        ;(ep ?? receiver).clear()
        return sendJSON(res, 200, { cleared: true, endpoint: ep?.id ?? null })
      }
      const limit = parseLimit(url.searchParams.get('limit'))
      const after = since((ep ?? receiver).deliveries, url.searchParams.get('since') ?? undefined)
      const page = limit === undefined ? after : after.slice(0, limit)
      return sendJSON(res, 200, {
        deliveries: page.map((d) => d.toJSON()),
        more: page.length < after.length,
        dropped: receiver.dropped,
      })
    }
    if (resource === 'wait' && id === undefined) {
      allow(method, ['POST'])
      return wait(req, res, receiver)
    }
    if (resource === 'events' && id === undefined) {
      allow(method, ['GET'])
      return openStream(req, res, receiver, url)
    }
    throw new ControlError(
      404,
      'NOT_FOUND',
      `No control route ${method} ${url.pathname}. Routes: GET ${CONTROL_PREFIX}, ` +
        `GET|POST ${CONTROL_PREFIX}endpoints, GET|DELETE ${CONTROL_PREFIX}endpoints/:id, ` +
        `GET|DELETE ${CONTROL_PREFIX}deliveries, POST ${CONTROL_PREFIX}wait, GET ${CONTROL_PREFIX}events.`,
    )
  }

  /** Endpoints minted here that are still open; the closed ones are forgotten on the way. */
  function openMinted(receiver: Receiver): Endpoint[] {
    for (const [id, ep] of minted) if (receiver.getEndpoint(id) !== ep) minted.delete(id)
    return [...minted.values()]
  }

  function info(receiver: Receiver): ControlInfo {
    const endpoints = openMinted(receiver).length
    return {
      name: 'hookwright',
      version: pkg.version,
      url: receiver.url,
      endpoints,
      deliveries: receiver.deliveries.length,
      dropped: receiver.dropped,
    }
  }

  async function wait(req: IncomingMessage, res: ServerResponse, receiver: Receiver) {
    // An empty body waits with the defaults: one delivery, any, within 5 s.
    const read = await readJSON(req)
    const body = read === undefined ? {} : read
    if (!isPlainObject(body))
      badRequest('The body must be a JSON object { endpoint?, count?, timeout?, match? }.', body)
    checkKeys(body, WAIT_KEYS, 'body')
    if (body.endpoint !== undefined && typeof body.endpoint !== 'string') {
      badRequest('`endpoint` must be an endpoint id (a string).', body.endpoint)
    }
    const source = body.endpoint === undefined ? receiver : findEndpoint(receiver, body.endpoint)
    const pattern = body.match === undefined ? undefined : patternMatcher(body.match)
    waits.add(res)
    try {
      const found = await wrapMisuse(() =>
        source.waitFor({
          count: body.count as number | undefined,
          // The documented default of this API, whatever process serves it.
          timeout: (body.timeout as number | undefined) ?? 5000,
          match: pattern?.match,
        }),
      )
      sendJSON(res, 200, { deliveries: found.map((d) => d.toJSON()) })
    } catch (error) {
      if (error instanceof HookwrightError && error.code === 'HOOKWRIGHT_TIMEOUT') {
        // The store names a match function by its source; a JSON caller wrote a pattern.
        const message = pattern
          ? error.message.replace(/ matching .*? at /, ` with ${pattern.description} at `)
          : error.message
        throw new ControlError(408, error.code, message)
      }
      if (error instanceof HookwrightError && error.code === 'HOOKWRIGHT_CLOSED') {
        throw new ControlError(503, error.code, error.message)
      }
      throw error
    } finally {
      waits.delete(res)
    }
  }

  function openStream(req: IncomingMessage, res: ServerResponse, receiver: Receiver, url: URL) {
    if (closed) throw new ControlError(503, 'HOOKWRIGHT_CLOSED', 'The receiver is closing.')
    const endpointId = url.searchParams.get('endpoint') ?? undefined
    if (endpointId !== undefined) findEndpoint(receiver, endpointId)
    const replay = parseFlag(url.searchParams.get('replay'), 'replay')
    const lastEventId =
      headerValue(req.headers['last-event-id']) ?? url.searchParams.get('lastEventId') ?? undefined
    const wanted = (d: Delivery): boolean => endpointId === undefined || d.endpoint === endpointId

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    })
    req.socket.setNoDelay(true)
    res.write('retry: 1000\n\n')

    const kept = receiver.deliveries
    const history = lastEventId !== undefined ? since(kept, lastEventId) : replay ? kept : []
    let backlogged = false
    const send = (d: Delivery): void => {
      if (backlogged || !wanted(d)) return
      res.write(`id: ${d.id}\nevent: delivery\ndata: ${JSON.stringify(d.toJSON())}\n\n`)
      if (res.writableLength > MAX_STREAM_BACKLOG) {
        backlogged = true
        end()
      }
    }
    // The receiver keeps and announces a delivery in the same tick, so taking the history and
    // subscribing here, synchronously, neither misses nor repeats one.
    receiver.on('delivery', send)
    let count = 0
    for (const d of history) {
      if (!wanted(d)) continue
      send(d)
      count++
    }
    // `lastId` is where this stream starts: a client that has seen nothing yet resumes from it
    // with Last-Event-ID and so gets exactly what arrived while it was away.
    const ready = { replayed: count, dropped: receiver.dropped, lastId: kept.at(-1)?.id ?? null }
    res.write(`event: ready\ndata: ${JSON.stringify(ready)}\n\n`)

    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs)
    heartbeat.unref()
    let ended = false
    function end(): void {
      if (ended) return
      ended = true
      receiver.off('delivery', send)
      clearInterval(heartbeat)
      streams.delete(end)
      res.end()
    }
    streams.add(end)
    res.on('close', end)
  }

  return {
    prefix: CONTROL_PREFIX,
    async handle(req, res, receiver) {
      const url = new URL(req.url ?? '/', 'http://receiver.invalid')
      try {
        // Other sites' pages may not use the API, even with the user's browser as their proxy.
        const foreign = foreignBrowser(req, receiver.url.startsWith('https:') ? 'https' : 'http')
        if (foreign !== undefined) {
          throw new ControlError(
            403,
            'FORBIDDEN_ORIGIN',
            `The control API refuses ${foreign}: only programs and the receiver's own pages may use it.`,
          )
        }
        authorize(req, url)
        await route(req, res, receiver, url)
      } catch (error) {
        sendError(res, error)
      }
    },
    close() {
      closed = true
      for (const end of [...streams]) end()
      for (const res of [...waits]) {
        sendError(res, new ControlError(503, 'HOOKWRIGHT_CLOSED', 'The receiver is closing.'))
      }
      waits.clear()
    },
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function allow(method: string, methods: readonly string[]): void {
  if (methods.includes(method)) return
  throw new ControlError(
    405,
    'METHOD_NOT_ALLOWED',
    `${method} is not allowed here; use ${methods.join(' or ')}.`,
    { allow: methods.join(', ') },
  )
}

function findEndpoint(receiver: Receiver, id: string): Endpoint {
  const ep = receiver.getEndpoint(id)
  if (!ep)
    throw new ControlError(404, 'NOT_FOUND', `No open endpoint with id ${JSON.stringify(id)}.`)
  return ep
}

function endpointJSON(ep: Endpoint): EndpointJSON {
  const { verify, respond, methods, maxBodyBytes, name } = ep.options
  const options: EndpointJSON['options'] = {}
  if (verify) {
    const scheme = typeof verify.scheme === 'string' ? verify.scheme : verify.scheme.name
    options.verify =
      verify.tolerance === undefined ? { scheme } : { scheme, tolerance: verify.tolerance }
  }
  if (respond !== undefined) options.respond = respond
  if (methods !== undefined) options.methods = methods
  if (maxBodyBytes !== undefined) options.maxBodyBytes = maxBodyBytes
  const json: EndpointJSON = {
    id: ep.id,
    path: ep.path,
    url: ep.url,
    deliveries: ep.deliveries.length,
    options,
  }
  if (name !== undefined) json.name = name
  return json
}

/** Deliveries after the one with id `afterId`; all of them if it is unknown (dropped or cleared). */
function since(deliveries: readonly Delivery[], afterId: string | undefined): readonly Delivery[] {
  if (afterId === undefined) return deliveries
  for (let i = deliveries.length - 1; i >= 0; i--) {
    if (deliveries[i]!.id === afterId) return deliveries.slice(i + 1)
  }
  return deliveries
}

function parseLimit(value: string | null): number | undefined {
  if (value === null) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    badRequest('Query parameter `limit` must be an integer >= 1.', value)
  }
  return n
}

function parseFlag(value: string | null, name: string): boolean {
  if (value === null || value === '0' || value === 'false') return false
  if (value === '' || value === '1' || value === 'true') return true
  badRequest(`Query parameter \`${name}\` must be 1 or 0.`, value)
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function parseEndpointOptions(body: unknown): EndpointOptions {
  if (body === undefined) return {}
  if (!isPlainObject(body)) {
    badRequest(
      'The body must be a JSON object of endpoint options { verify, respond, methods, maxBodyBytes, name }.',
      body,
    )
  }
  // The receiver checks the other options itself; only what JSON changes is checked here.
  if (body.verify !== undefined) {
    const verify = body.verify
    if (!isPlainObject(verify) || typeof verify.scheme !== 'string') {
      badRequest(
        '`verify` must be { scheme: "<scheme name>", secret | secrets, tolerance? }.',
        verify,
      )
    }
    checkKeys(verify, VERIFY_KEYS, 'verify')
  }
  return body as EndpointOptions
}

/**
 * The match function for a JSON pattern of `POST /_hookwright/wait`, built from the same checks
 * as `expectWebhook`, so a pattern means the same thing in both places.
 */
function patternMatcher(pattern: unknown): { match: DeliveryMatcher; description: string } {
  if (!isPlainObject(pattern)) {
    badRequest('`match` must be an object { method?, path?, headers?, json? }.', pattern)
  }
  checkKeys(pattern, PATTERN_KEYS, 'match')
  const { method, path, headers, json } = pattern as DeliveryPattern & Record<string, unknown>
  if (method !== undefined && typeof method !== 'string') {
    badRequest('`match.method` must be a string.', method)
  }
  if (path !== undefined && typeof path !== 'string') {
    badRequest('`match.path` must be a string.', path)
  }
  if (
    headers !== undefined &&
    (!isPlainObject(headers) || !Object.values(headers).every((v) => typeof v === 'string'))
  ) {
    badRequest('`match.headers` must be an object of header names to string values.', headers)
  }
  const checks: DeliveryCheck[] = wrapMisuse(() => [
    ...(method === undefined ? [] : [methodCheck(method)]),
    ...(path === undefined ? [] : [pathCheck(path)]),
    ...Object.entries((headers ?? {}) as Record<string, string>).map(
      ([name, value]) => headerCheck(name, value).each,
    ),
    ...(json === undefined ? [] : [jsonCheck(json)]),
  ])
  return { match: matchAll(checks), description: checks.map((c) => c.description).join(', ') }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkKeys(
  object: Record<string, unknown>,
  known: ReadonlySet<string>,
  where: string,
): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      badRequest(`Unknown field \`${key}\` in ${where}; known fields: ${[...known].join(', ')}.`)
    }
  }
}

const NOTHING = Symbol('nothing')

function badRequest(message: string, got: unknown = NOTHING): never {
  // Only the shape of a bad value is echoed, never the value itself: it may hold a secret.
  const shown = got === NOTHING ? '' : ` Got ${shape(got)}.`
  throw new ControlError(400, 'BAD_REQUEST', `${message}${shown}`)
}

function shape(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`
  return describeValue(value)
}

/** Misuse errors from the receiver (a bad option, an unknown scheme) become 400s. */
function wrapMisuse<T>(run: () => T): T {
  try {
    return run()
  } catch (error) {
    throw asControlError(error)
  }
}

function asControlError(error: unknown): unknown {
  if (
    error instanceof HookwrightError &&
    error.code !== 'HOOKWRIGHT_TIMEOUT' &&
    error.code !== 'HOOKWRIGHT_CLOSED'
  ) {
    return new ControlError(400, error.code, error.message)
  }
  return error
}

async function readJSON(req: IncomingMessage): Promise<unknown> {
  const type = headerValue(req.headers['content-type'])?.split(';')[0]?.trim().toLowerCase()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_JSON_BODY) {
      throw new ControlError(
        413,
        'PAYLOAD_TOO_LARGE',
        `Control request bodies are limited to ${MAX_JSON_BODY} bytes.`,
      )
    }
    chunks.push(chunk)
  }
  // Requiring JSON, even for an empty body, keeps other sites' pages from posting here: a
  // cross-site JSON request needs a CORS preflight, which is never granted.
  if (type !== 'application/json') {
    throw new ControlError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Send \`Content-Type: application/json\`, even with an empty body (got ${type === undefined ? 'none' : JSON.stringify(type)}).`,
    )
  }
  if (size === 0) return undefined
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'))
  } catch {
    // V8's message quotes the start of the body, which may be a secret: give its size only.
    throw new ControlError(400, 'BAD_REQUEST', `The body (${size} bytes) is not valid JSON.`)
  }
}

function sendJSON(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(text)
}

function sendError(res: ServerResponse, error: unknown): void {
  const known = asControlError(error)
  if (known instanceof ControlError) {
    sendJSON(
      res,
      known.status,
      { error: { code: known.code, message: known.message } },
      known.headers,
    )
    return
  }
  if (res.headersSent) {
    res.destroy()
    return
  }
  sendJSON(res, 500, {
    error: {
      code: 'INTERNAL',
      message: `The control API failed: ${(error as Error)?.message ?? String(error)}`,
    },
  })
}
