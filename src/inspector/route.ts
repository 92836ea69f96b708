import type { IncomingMessage, ServerResponse } from 'node:http'
import { safeEqualString } from '../crypto.js'
import type { Delivery } from '../delivery.js'
import { fixtureFromDelivery } from '../fixtures/index.js'
import { foreignBrowser, ownNavigation } from '../receiver/guard.js'
import type { EndpointOptions, Receiver, ReceiverRoute } from '../receiver/types.js'
import { inspectorCsp, inspectorPage } from './page.js'
import { resend } from './resend.js'

/** Where the inspector pages live on a receiver. */
export const INSPECTOR_PREFIX = '/_hookwright/inspect/'

/** Options of `inspectorRoute`. */
export interface InspectorOptions {
  /** Options for the callbacks minted from the page (its "New callback" button, `/new`). */
  endpoint?: EndpointOptions
  /** The control API's token: the page's actions then need it (the page reads it from `#token=`). */
  token?: string
  /** The control API's event stream. Default `/_hookwright/events`. */
  eventsPath?: string
}

const pageHeaders = (csp: string) => ({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': csp,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
})

/**
 * The live inspector as a receiver route: `GET <prefix><endpoint id>` serves one
 * self-contained page that follows the control API's event stream for that callback;
 * `GET <prefix>new` mints a callback and opens its page; `POST <prefix>replay` re-sends a
 * delivery to a URL the user typed; `POST <prefix>fixture` turns one into a fixture file (as
 * `saveFixture` writes it). It needs the control API's event stream on the same receiver;
 * `routes` are matched before it, so `/_hookwright/inspect/` reaches this route.
 *
 * @example
 * const receiver = await createReceiver({ control: true, routes: [inspectorRoute()] })
 * const ep = receiver.endpoint()
 * console.log(inspectorUrl(receiver, ep.id))
 */
export function inspectorRoute(options: InspectorOptions = {}): ReceiverRoute {
  const eventsPath = options.eventsPath ?? '/_hookwright/events'
  const { token } = options
  const page = (receiver: Receiver, id: string) => {
    const ep = receiver.getEndpoint(id)
    return ep
      ? inspectorPage({
          prefix: INSPECTOR_PREFIX,
          endpoint: ep.id,
          callbackUrl: ep.url,
          eventsPath,
          ...(ep.options.verify ? { verify: schemeName(ep.options.verify.scheme) } : {}),
        })
      : undefined
  }

  function authorized(req: IncomingMessage, url: URL): boolean {
    if (token === undefined) return true
    const header = req.headers.authorization
    const query = url.searchParams.get('token')
    return (
      (header !== undefined && safeEqualString(header, `Bearer ${token}`)) ||
      (query !== null && safeEqualString(query, token))
    )
  }

  async function handle(req: IncomingMessage, res: ServerResponse, receiver: Receiver) {
    const url = new URL(req.url ?? '/', 'http://receiver.invalid')
    const rest = url.pathname.slice(INSPECTOR_PREFIX.length)
    const method = req.method ?? 'GET'
    // The receiver has checked the Host (DNS rebinding). Actions are for this receiver's own
    // pages: another site may not mint, replay (a proxy) or read fixtures through the browser.
    const scheme = receiver.url.startsWith('https:') ? 'https' : 'http'
    // Navigations may open the page (it holds no data and refuses frames); anything else
    // (fetch, form posts, <img>, <script>) must come from the receiver's own pages.
    if ((method !== 'GET' && method !== 'HEAD') || req.headers['sec-fetch-mode'] !== 'navigate') {
      const foreign = foreignBrowser(req, scheme)
      if (foreign !== undefined) {
        return sendJSON(res, 403, error('FORBIDDEN_ORIGIN', `The inspector refuses ${foreign}.`))
      }
    }
    if (rest === '' || rest === 'new') {
      if (method === 'GET') {
        // Minting on GET is for a typed URL or this receiver's own link; other sites (a link,
        // an <img src>) may not.
        if (!ownNavigation(req, scheme)) {
          return sendJSON(
            res,
            403,
            error(
              'FORBIDDEN_ORIGIN',
              'Mint callbacks by typing the URL or from the inspector page.',
            ),
          )
        }
        if (!authorized(req, url))
          return sendJSON(res, 401, error('UNAUTHORIZED', 'Add ?token=<control token>.'))
        const ep = receiver.endpoint(options.endpoint)
        const fragment = token === undefined ? '' : `#token=${encodeURIComponent(token)}`
        res.writeHead(303, {
          location: `${INSPECTOR_PREFIX}${encodeURIComponent(ep.id)}${fragment}`,
          'cache-control': 'no-store',
        })
        return res.end()
      }
      if (method === 'POST') {
        if (!(await jsonRequest(req, res)) || !authorizedOr401(req, res, url)) return
        const ep = receiver.endpoint(options.endpoint)
        return sendJSON(res, 201, {
          id: ep.id,
          url: ep.url,
          inspector: `${receiver.url}${INSPECTOR_PREFIX}${ep.id}`,
        })
      }
      return notAllowed(res, 'GET, POST')
    }
    if (rest === 'replay' || rest === 'fixture') {
      if (method !== 'POST') return notAllowed(res, 'POST')
      const body = await jsonRequest(req, res)
      if (body === undefined || !authorizedOr401(req, res, url)) return
      const found = receiver.deliveries.find((d) => d.id === body.delivery)
      if (!found) return sendJSON(res, 404, error('NOT_FOUND', 'That delivery is no longer kept.'))
      return rest === 'fixture'
        ? sendJSON(res, 200, fixtureFromDelivery(found))
        : replay(found, body.to, res)
    }
    if (method !== 'GET' && method !== 'HEAD') return notAllowed(res, 'GET')
    const html = page(receiver, decodeURIComponent(rest))
    if (html === undefined) {
      res.writeHead(404, {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      })
      return res.end(`No open callback with this id. Open ${INSPECTOR_PREFIX}new to mint one.\n`)
    }
    res.writeHead(200, { ...pageHeaders(inspectorCsp), 'content-length': Buffer.byteLength(html) })
    res.end(method === 'HEAD' ? undefined : html)
  }

  function authorizedOr401(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (authorized(req, url)) return true
    sendJSON(
      res,
      401,
      error(
        'UNAUTHORIZED',
        'This receiver needs its control token: open the page with #token=<token>.',
      ),
    )
    return false
  }

  return {
    prefix: INSPECTOR_PREFIX,
    async handle(req, res, receiver) {
      try {
        await handle(req, res, receiver)
      } catch (e) {
        sendJSON(res, 500, error('INTERNAL', (e as Error).message))
      }
    },
  }
}

function schemeName(scheme: string | { name: string }): string {
  return typeof scheme === 'string' ? scheme : scheme.name
}

/** The inspector page's URL for a callback (with the token in the fragment, which stays in the browser). */
export function inspectorUrl(
  receiver: { url: string },
  endpointId: string,
  token?: string,
): string {
  const fragment = token === undefined ? '' : `#token=${encodeURIComponent(token)}`
  return `${receiver.url}${INSPECTOR_PREFIX}${encodeURIComponent(endpointId)}${fragment}`
}

async function replay(found: Delivery, to: unknown, res: ServerResponse) {
  let target: URL
  try {
    target = new URL(String(to))
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http')
  } catch {
    return sendJSON(res, 400, error('BAD_REQUEST', 'Type an absolute http(s) URL to replay to.'))
  }
  const outcome = await resend(
    { method: found.method, headers: found.headers, body: found.rawBody },
    target.href,
  )
  if (outcome.status !== undefined) {
    return sendJSON(res, 200, {
      status: outcome.status,
      durationMs: Math.round(outcome.durationMs),
    })
  }
  sendJSON(
    res,
    502,
    error(
      'REPLAY_FAILED',
      `The replay to ${target.origin} failed (${outcome.error?.code ?? 'error'}).`,
    ),
  )
}

/** Reads a JSON object body; answers 415/400 itself and returns undefined when it is not one. */
async function jsonRequest(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Record<string, unknown> | undefined> {
  // Requiring JSON makes a cross-site form post impossible without a CORS preflight (never granted).
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > 64 * 1024) {
      sendJSON(res, 413, error('PAYLOAD_TOO_LARGE', 'Inspector requests are small JSON objects.'))
      return undefined
    }
    chunks.push(chunk)
  }
  if (type !== 'application/json') {
    sendJSON(
      res,
      415,
      error('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json.'),
    )
    return undefined
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>
  } catch {
    // answered below
  }
  sendJSON(res, 400, error('BAD_REQUEST', 'The body must be a JSON object.'))
  return undefined
}

function error(code: string, message: string) {
  return { error: { code, message } }
}

function notAllowed(res: ServerResponse, allow: string) {
  res.setHeader('allow', allow)
  sendJSON(res, 405, error('METHOD_NOT_ALLOWED', `Use ${allow}.`))
}

function sendJSON(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(text)
}
