import type { IncomingMessage, ServerResponse } from 'node:http'
import { invalidOption } from '../errors.js'

/** The harness's own paths (control API, event stream, inspector); `/h/…` callbacks are not. */
export const HARNESS_PREFIX = '/_hookwright/'

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i
// A name, an IPv4 address or a bracketed IPv6 address, optionally with a port; or ".name" for
// the name and every name under it.
const ALLOWED_HOST = /^(?:\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host)
}

/**
 * Checks `allowedHosts` and returns the Host check for the harness's own paths, or undefined
 * when there is none: a receiver bound to a loopback address (or given `allowedHosts`) answers
 * them only for a loopback `Host` or an allowed one, so a web page whose name is rebound to
 * 127.0.0.1 (DNS rebinding) reads nothing.
 */
export function hostCheck(
  boundHost: string,
  allowedHosts: readonly string[] | undefined,
): ((host: string | undefined) => boolean) | undefined {
  if (allowedHosts !== undefined) {
    if (!Array.isArray(allowedHosts)) {
      invalidOption('allowedHosts', 'an array of host names such as ["myhost.test"]', allowedHosts)
    }
    allowedHosts.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || !ALLOWED_HOST.test(name)) {
        invalidOption(
          `allowedHosts[${i}]`,
          'a host name ("myhost.test"), ".myhost.test" for it and its subdomains, or an address, optionally with ":port"',
          name,
        )
      }
    })
  }
  if (allowedHosts === undefined && !isLoopback(boundHost)) return undefined
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const name of allowedHosts ?? []) {
    const lower = name.toLowerCase()
    if (lower.startsWith('.')) suffixes.push(lower)
    else exact.add(lower)
  }
  const bound = (boundHost.includes(':') ? `[${boundHost}]` : boundHost).toLowerCase()
  return (host) => {
    if (host === undefined || host === '') return false
    const value = host.toLowerCase()
    const name = hostName(value)
    if (isLoopback(name) || name === bound || exact.has(name) || exact.has(value)) return true
    return suffixes.some((suffix) => name === suffix.slice(1) || name.endsWith(suffix))
  }
}

/** The name in a Host header value, without its port (`[::1]:4400` gives `[::1]`). */
function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    return end === -1 ? host : host.slice(0, end + 1)
  }
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/** Answers 403 to a request whose Host is not allowed, naming that Host. */
export function refuseHost(res: ServerResponse, host: string | undefined): void {
  const shown =
    host === undefined || host === '' ? 'no Host header' : `Host ${JSON.stringify(host)}`
  sendForbidden(
    res,
    'FORBIDDEN_HOST',
    `${shown} is not allowed here: open hookwright by localhost, 127.0.0.1 or [::1], ` +
      'or allow the name with allowedHosts (listen --allowed-host NAME). Callbacks under /h/ take any Host.',
  )
}

/**
 * Why a browser request from another site must be refused, or undefined if it may proceed:
 * an `Origin` other than the receiver's own (`<scheme>://<Host>`), or `Sec-Fetch-Site` other
 * than `same-origin` or `none` (typed in). Programs (curl, undici, connectReceiver) send
 * neither header and pass.
 */
export function foreignBrowser(req: IncomingMessage, scheme: string): string | undefined {
  const site = first(req.headers['sec-fetch-site'])
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `a ${site} browser request (Sec-Fetch-Site: ${site})`
  }
  const origin = first(req.headers.origin)
  if (origin !== undefined && !sameOrigin(origin, req, scheme)) {
    return `a page from another origin (Origin: ${JSON.stringify(origin)})`
  }
  return undefined
}

/**
 * True for a navigation the user made on this receiver: typed in, a bookmark, or a link on
 * one of its own pages (`Sec-Fetch-Site` none or same-origin; without Sec-Fetch headers, no
 * `Origin` or `Referer` from elsewhere).
 */
export function ownNavigation(req: IncomingMessage, scheme: string): boolean {
  const site = first(req.headers['sec-fetch-site'])
  if (site !== undefined) return site === 'same-origin' || site === 'none'
  const origin = first(req.headers.origin)
  if (origin !== undefined && !sameOrigin(origin, req, scheme)) return false
  const referer = first(req.headers.referer)
  if (referer === undefined) return true
  try {
    return sameOrigin(new URL(referer).origin, req, scheme)
  } catch {
    return false
  }
}

function sameOrigin(origin: string, req: IncomingMessage, scheme: string): boolean {
  const host = first(req.headers.host)
  return host !== undefined && origin.toLowerCase() === `${scheme}://${host}`.toLowerCase()
}

/** Answers 403 with the JSON error shape of the control API. */
export function sendForbidden(res: ServerResponse, code: string, message: string): void {
  if (res.headersSent) return
  const text = JSON.stringify({ error: { code, message } })
  res.writeHead(403, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(text)
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
