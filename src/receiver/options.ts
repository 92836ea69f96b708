import type { Delivery } from '../delivery.js'
import { invalidOption } from '../errors.js'
import { controlRoute } from '../remote/control.js'
import { storeBounds, type StoreBounds } from './store.js'
import type { ReceiverOptions, ReceiverRoute } from './types.js'
import { hostCheck } from './guard.js'
import { connectionLimits, type ConnectionLimits } from './limits.js'
import { ENDPOINT_PREFIX } from './routing.js'

const OPTION_KEYS = new Set([
  'port',
  'host',
  'maxDeliveries',
  'maxBytes',
  'control',
  'routes',
  'tls',
  'maxAgeMs',
  'save',
  'allowedHosts',
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'maxConnections',
])

/** `createReceiver`'s options, checked and with their defaults filled in. */
export interface ResolvedReceiverOptions {
  host: string
  port: number
  store: StoreBounds
  routes: ReceiverRoute[]
  tls: { key: string | Uint8Array; cert: string | Uint8Array } | undefined
  save: ((delivery: Delivery) => void) | undefined
  /** The Host check of the harness's own paths; undefined when they answer any Host. */
  hostAllowed: ((host: string | undefined) => boolean) | undefined
  limits: ConnectionLimits
}

/** Checks every option before a port is opened; misuse throws `HOOKWRIGHT_INVALID_OPTION`. */
export function resolveReceiverOptions(options: ReceiverOptions): ResolvedReceiverOptions {
  if (options === null || typeof options !== 'object') {
    invalidOption('createReceiver(options)', 'an object', options)
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      invalidOption(`createReceiver({ ${key} })`, `one of ${[...OPTION_KEYS].join(', ')}`, key)
    }
  }
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  if (typeof host !== 'string' || host.length === 0) {
    invalidOption('host', 'an interface address such as "127.0.0.1"', options.host)
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    invalidOption('port', 'an integer from 0 to 65535 (0 picks a free port)', options.port)
  }
  const store = storeBounds(options)
  const routes: ReceiverRoute[] = [...(options.routes ?? [])]
  if (options.control) {
    // Stryker disable next-line ConditionalExpression: controlRoute reads only token and heartbeatMs, which `true` does not have either
    routes.push(controlRoute(typeof options.control === 'object' ? options.control : {}))
  }
  routes.forEach(checkRoute)

  const tls = options.tls
  if (tls !== undefined) {
    const pem = (v: unknown) => typeof v === 'string' || v instanceof Uint8Array
    // A string or number has no key either; null has none at all, and stops at the first test.
    if (!pem(tls?.key) || !pem(tls.cert)) {
      invalidOption('tls', 'an object { key, cert } of PEM strings or Buffers', tls, {
        secret: true,
      })
    }
  }
  if (options.save !== undefined && typeof options.save !== 'function') {
    invalidOption('save', 'a function (delivery) => void', options.save)
  }
  const hostAllowed = hostCheck(host, options.allowedHosts)
  const limits = connectionLimits(options)
  return { host, port, store, routes, tls, hostAllowed, limits, save: options.save }
}

function checkRoute(route: ReceiverRoute, i: number): void {
  if (
    route === null ||
    // Stryker disable next-line ConditionalExpression: a string or number route has no string prefix either
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
}
