import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Receiver, ReceiverRoute } from './types.js'

/** Every endpoint's path starts with this; routes may not claim it. */
export const ENDPOINT_PREFIX = '/h/'

/** A request target split into its path and its query string (without the "?"). */
export interface Target {
  path: string
  search: string
}

/** Splits `req.url`; absolute-form targets (`POST http://host/h/x`, as proxies send) too. */
export function splitTarget(target: string): Target {
  let path = target
  let search = ''
  const q = target.indexOf('?')
  if (q !== -1) {
    path = target.slice(0, q)
    search = target.slice(q + 1)
  }
  // Stryker disable next-line ConditionalExpression,MethodExpression: a path that starts with "/" is no absolute URL either (new URL throws, and the catch keeps it): only slower
  if (!path.startsWith('/')) {
    try {
      const url = new URL(target)
      path = url.pathname
      // Stryker disable next-line MethodExpression: the query is read with URLSearchParams, which skips a leading "?" too
      search = url.search.slice(1)
    } catch {
      // Not a URL either: recorded as the unknown path it is.
    }
  }
  return { path, search }
}

/** The route that owns `path`, if any (control API, inspector, user routes). */
export function routeFor(
  routes: readonly ReceiverRoute[],
  path: string,
): ReceiverRoute | undefined {
  for (const route of routes) {
    if (path.startsWith(route.prefix)) return route
  }
  return undefined
}

/**
 * The endpoint id in `/h/<id>` and anything under it (a sender that appends `/stripe` still
 * reaches it); undefined outside `/h/`.
 */
export function endpointIdOf(path: string): string | undefined {
  if (!path.startsWith(ENDPOINT_PREFIX)) return undefined
  const end = path.indexOf('/', ENDPOINT_PREFIX.length)
  return path.slice(ENDPOINT_PREFIX.length, end === -1 ? undefined : end)
}

/** Hands a request to its route; a throwing or rejecting handler answers 500. */
export function runRoute(
  route: ReceiverRoute,
  req: IncomingMessage,
  res: ServerResponse,
  receiver: Receiver,
): void {
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
