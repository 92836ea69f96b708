import type { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { invalidOption } from '../errors.js'
import type { ReceiverOptions } from './types.js'

/** How long a sender may take and how many connections it may hold. */
export interface ConnectionLimits {
  /** Milliseconds from connecting (or the previous answer) to the end of the request headers. */
  headersTimeout: number
  /** Milliseconds from connecting to the end of the request body. */
  requestTimeout: number
  /** Milliseconds an idle keep-alive connection stays open after an answer. */
  keepAliveTimeout: number
  /** Open connections at most; past it idle ones are closed first, busy senders get 503. */
  maxConnections: number
}

/** The defaults: a test receiver waits for slow senders, but not forever. */
export const DEFAULT_HEADERS_TIMEOUT = 10_000
export const DEFAULT_REQUEST_TIMEOUT = 30_000
export const DEFAULT_KEEP_ALIVE_TIMEOUT = 5_000
export const DEFAULT_MAX_CONNECTIONS = 1_000
/** File descriptors left for everything else when the connection cap follows the fd limit. */
const FD_RESERVE = 100
const MAX_TIMER = 2_147_483_647

/** Checks the timeout and connection options and fills in their defaults. */
export function connectionLimits(options: ReceiverOptions): ConnectionLimits {
  const ms = (name: keyof ReceiverOptions, fallback: number): number => {
    const value = options[name] ?? fallback
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_TIMER) {
      invalidOption(name, `an integer number of milliseconds from 1 to ${MAX_TIMER}`, value)
    }
    return value as number
  }
  const headersTimeout = ms('headersTimeout', DEFAULT_HEADERS_TIMEOUT)
  const requestTimeout = ms('requestTimeout', Math.max(DEFAULT_REQUEST_TIMEOUT, headersTimeout))
  if (headersTimeout > requestTimeout) {
    invalidOption(
      'headersTimeout',
      `at most requestTimeout (${requestTimeout} ms): the headers are part of the request`,
      headersTimeout,
    )
  }
  const keepAliveTimeout = ms('keepAliveTimeout', DEFAULT_KEEP_ALIVE_TIMEOUT)
  const maxConnections = options.maxConnections ?? defaultMaxConnections()
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    invalidOption('maxConnections', 'an integer >= 1', options.maxConnections)
  }
  return { headersTimeout, requestTimeout, keepAliveTimeout, maxConnections }
}

/** node:http's server options for these limits (those only settable at creation). */
export function serverOptions(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    // Node checks the timeouts every 30 s by default, which would stretch a 10 s limit to 40 s.
    connectionsCheckingInterval: Math.min(
      1000,
      Math.max(10, Math.floor(limits.headersTimeout / 4)),
    ),
  }
}

/** Applies the limits settable on a created server. */
export function applyLimits(server: Server, limits: ConnectionLimits): void {
  server.keepAliveTimeout = limits.keepAliveTimeout
  // No count limit: Node's default keeps about 1,000 headers and drops the rest silently (a
  // signature header among them). The header size limit still bounds them (431).
  server.maxHeadersCount = 0
}

let fdBound: number | undefined

/**
 * 1,000 connections, or fewer when the process's file-descriptor limit is low (Linux), so
 * that the receiver can still accept a connection and answer it rather than fail in accept().
 */
function defaultMaxConnections(): number {
  // Stryker disable next-line ConditionalExpression: the cache; reading /proc again gives the same cap
  if (fdBound === undefined) {
    let limits: string | undefined
    try {
      limits = readFileSync('/proc/self/limits', 'utf8')
    } catch {
      // Not Linux: the fixed default.
    }
    fdBound = maxConnectionsFor(limits)
  }
  return fdBound
}

/**
 * The default connection cap for a process whose `/proc/self/limits` reads `limits`: 1,000, or
 * the soft open-files limit less 100 where that is lower (at least 16). Exported for its tests.
 */
export function maxConnectionsFor(limits: string | undefined): number {
  // Stryker disable next-line StringLiteral: no other text has a "Max open files" line either
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits ?? '')?.[1])
  if (!(soft > 0)) return DEFAULT_MAX_CONNECTIONS
  return Math.max(16, Math.min(DEFAULT_MAX_CONNECTIONS, soft - FD_RESERVE))
}

const REQUEST_TIMEOUT_RESPONSE =
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'

/**
 * Caps open connections. Past the cap, the oldest idle connection (one that is not carrying a
 * request: fresh, between keep-alive requests, or still sending its headers) is answered 408
 * and closed to make room; when every connection is busy, the new one's request is answered
 * 503 (see `refusal`). Returns what the request handler asks.
 */
export function capConnections(
  server: Server,
  max: number,
  secure: boolean,
): { refusal(req: IncomingMessage): 'busy' | 'closing' | undefined } {
  const open = new Set<Socket>()
  const refused = new WeakMap<Socket, 'busy' | 'closing'>()
  // Over TLS, the socket a request arrives on is the TLS one.
  ;(server as EventEmitter).on(secure ? 'secureConnection' : 'connection', (socket: Socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    if (open.size <= max) return
    for (const other of open) {
      // node:http sets `_httpMessage` to the response of the request a socket carries.
      if (other !== socket && !(other as { _httpMessage?: ServerResponse })._httpMessage) {
        open.delete(other)
        refused.set(other, 'closing')
        other.end(REQUEST_TIMEOUT_RESPONSE)
        other.destroySoon()
        return
      }
    }
    refused.set(socket, 'busy')
  })
  return { refusal: (req) => refused.get(req.socket) }
}

/** Answers a request on a connection past the cap: 503, then the connection closes. */
export function refuseBusy(res: ServerResponse, max: number): void {
  const text = `This receiver holds ${max} connections, all busy (maxConnections). Retry later.`
  res.writeHead(503, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'retry-after': '1',
    connection: 'close',
  })
  res.end(text)
}
