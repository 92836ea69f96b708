import { invalidOption } from '../errors.js'
import { reportUnawaited } from '../unawaited.js'
import { resolveSchemeConfig } from '../schemes/registry.js'
import type { VerifyOptions, VerifyResult } from '../schemes/types.js'
import { createResponder, type Responder } from './script.js'
import { createEndpointStore, type EndpointStore, type StoreBounds } from './store.js'
import type { Delivery } from '../delivery.js'
import type { Endpoint, EndpointOptions, WaitForOptions } from './types.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')
const REDACTED = '[redacted]'

/** Bodies over this answer 413 unless an endpoint says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
/**
 * The largest `maxBodyBytes` an endpoint may have: a body must fit one Buffer, and its base64
 * (a third larger) one JavaScript string, for `toJSON`, exports and `listen --save`.
 */
export const MAX_BODY_BYTES_CEILING = 256 * 1024 * 1024

const OPTION_KEYS = new Set(['verify', 'respond', 'methods', 'maxBodyBytes', 'name'])

/** An endpoint plus what the server needs to answer its requests. */
export interface EndpointState {
  endpoint: Endpoint
  /** This endpoint's deliveries: a view of the receiver's, dropping what the receiver drops. */
  readonly store: EndpointStore
  readonly maxBodyBytes: number
  /** Upper-case allowed methods, or undefined for any. */
  readonly methods: ReadonlySet<string> | undefined
  /** The `Allow` header of a 405. */
  readonly allow: string
  readonly respond: Responder
  /** Checks a request's signature, or undefined when the endpoint does not verify. */
  readonly verify:
    ((headers: VerifyOptions['headers'], body: Uint8Array, url: string) => VerifyResult) | undefined
  /** Requests so far (restarted by `clear()`); the next one is attempt `attempts + 1`. */
  attempts: number
}

/** Checks endpoint options and builds the endpoint; misuse throws here, not at request time. */
export function createEndpointState(
  options: EndpointOptions,
  context: {
    id: string
    origin: string
    store: StoreBounds
    onClose(state: EndpointState): void
    /** Everything the receiver kept, to name near misses when a wait for this endpoint times out. */
    receiverDeliveries?: () => readonly Delivery[]
  },
): EndpointState {
  if (options === null || typeof options !== 'object') {
    invalidOption('endpoint(options)', 'an object', options)
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      invalidOption(
        `endpoint({ ${key} })`,
        `one of the options ${[...OPTION_KEYS].join(', ')}`,
        key,
      )
    }
  }
  const path = `/h/${context.id}`
  const url = `${context.origin}${path}`
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (
    !Number.isInteger(maxBodyBytes) ||
    maxBodyBytes < 0 ||
    maxBodyBytes > MAX_BODY_BYTES_CEILING
  ) {
    invalidOption(
      'maxBodyBytes',
      `a whole number of bytes from 0 to ${MAX_BODY_BYTES_CEILING} (256 MiB, the ceiling)`,
      options.maxBodyBytes,
    )
  }
  let methods: Set<string> | undefined
  if (options.methods !== undefined) {
    if (
      !Array.isArray(options.methods) ||
      options.methods.length === 0 ||
      !options.methods.every((m) => typeof m === 'string' && /^[A-Za-z]+$/.test(m))
    ) {
      invalidOption('methods', 'a non-empty list of HTTP methods such as ["POST"]', options.methods)
    }
    methods = new Set(options.methods.map((m) => m.toUpperCase()))
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    invalidOption('name', 'a string', options.name)
  }
  const respond = createResponder(options.respond)
  const verify = makeVerify(options.verify)
  const all = context.receiverDeliveries
  const store = createEndpointStore(
    context.store,
    options.name ? `endpoint "${options.name}" ${url}` : `endpoint ${url}`,
    all && (() => nearMisses(context.id, all())),
  )
  const state: EndpointState = {
    endpoint: undefined as unknown as Endpoint,
    store,
    maxBodyBytes,
    methods,
    allow: methods ? [...methods].join(', ') : '',
    respond,
    verify,
    attempts: 0,
  }
  state.endpoint = new ReceiverEndpoint(context.id, path, url, options, state, context.onClose)
  return state
}

// A class rather than an object literal with getters: V8 builds literals with accessors on a
// slow path, and tests mint an endpoint per case.
class ReceiverEndpoint implements Endpoint {
  readonly #state: EndpointState
  readonly #onClose: (state: EndpointState) => void
  #closed = false

  constructor(
    readonly id: string,
    readonly path: string,
    readonly url: string,
    readonly options: EndpointOptions,
    state: EndpointState,
    onClose: (state: EndpointState) => void,
  ) {
    this.#state = state
    this.#onClose = onClose
  }

  get label(): string {
    return this.#state.store.label
  }

  get deliveries(): readonly Delivery[] {
    return this.#state.store.deliveries
  }

  waitFor(waitOptions?: WaitForOptions): Promise<Delivery[]> {
    return this.#state.store.waitFor(waitOptions)
  }

  clear(): void {
    this.#state.store.clear()
    this.#state.attempts = 0
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#onClose(this.#state)
    reportUnawaited([this])
    this.#state.store.close(`${this.label} was closed.`)
  }

  /** What `JSON.stringify(endpoint)` writes: no secret. */
  toJSON(): EndpointView {
    return endpointView(this)
  }

  [INSPECT](_depth: number, options: object, inspect: (value: unknown, o: object) => string) {
    return `Endpoint ${inspect(endpointView(this), options)}`
  }
}

/** An endpoint as logs and `JSON.stringify` show it: its secrets replaced by "[redacted]". */
export interface EndpointView {
  id: string
  path: string
  url: string
  label: string
  deliveries: number
  options: EndpointOptions
}

/**
 * The endpoint as logs show it (`util.inspect`, `console.log`, `JSON.stringify`), with
 * `verify.secret` and `verify.secrets` redacted, as undici redacts credentials.
 */
export function endpointView(ep: Endpoint): EndpointView {
  const { verify, ...rest } = ep.options
  const options: EndpointOptions = { ...rest }
  if (verify) {
    const shown = { ...verify }
    if (shown.secret !== undefined) shown.secret = REDACTED
    if (Array.isArray(shown.secrets)) shown.secrets = shown.secrets.map(() => REDACTED)
    options.verify = shown
  }
  return {
    id: ep.id,
    path: ep.path,
    url: ep.url,
    label: ep.label,
    deliveries: ep.deliveries.length,
    options,
  }
}

function makeVerify(verify: EndpointOptions['verify']): EndpointState['verify'] {
  if (verify === undefined) return undefined
  const { scheme, options } = resolveSchemeConfig(verify, 'verify')
  return (headers, body, url) => scheme.verify({ ...options, headers, body, url })
}

/** How many near misses of each kind a timeout message lists. */
const LISTED_NEAR_MISSES = 5

/**
 * What reached the receiver but not this endpoint: requests to unknown paths (a sender's wrong
 * URL) and to its other endpoints, for the timeout message of a wait on this one.
 */
function nearMisses(id: string, all: readonly Delivery[]): string {
  const unknown: Delivery[] = []
  const others: Delivery[] = []
  for (const d of all) {
    if (d.endpoint === null) unknown.push(d)
    else if (d.endpoint !== id) others.push(d)
  }
  let text = ''
  if (unknown.length > 0) {
    text += `\n${unknown.length === 1 ? '1 request' : `${unknown.length} requests`} reached this receiver at ${unknown.length === 1 ? 'an unknown path' : 'unknown paths'}:${listed(unknown)}`
  }
  if (others.length > 0) {
    text += `\n${others.length === 1 ? '1 request' : `${others.length} requests`} went to other endpoints of this receiver:${listed(others)}`
  }
  return text
}

function listed(deliveries: readonly Delivery[]): string {
  const line = (d: Delivery) =>
    `${d.method} ${d.path} → ${d.response.action === 'respond' ? d.response.status : d.response.action}`
  if (deliveries.length === 1) return ` ${line(deliveries[0]!)}`
  const shown = deliveries.slice(-LISTED_NEAR_MISSES).map((d) => `\n  ${line(d)}`)
  const more = deliveries.length - shown.length
  return `${more > 0 ? `\n  … ${more} earlier` : ''}${shown.join('')}`
}
