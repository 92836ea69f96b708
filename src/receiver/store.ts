import { clearTimeout, setTimeout } from 'node:timers'
import { summarizeDelivery, type Delivery } from '../delivery.js'
import { HookwrightError, invalidOption } from '../errors.js'
import { defaultWaitTimeout } from '../runner-timeout.js'
import { didYouMean } from '../suggest.js'
import type { DeliveryMatcher, WaitForOptions } from './types.js'

/** Bounds of a delivery store. */
export interface DeliveryStoreOptions {
  /** Keep at most this many deliveries (oldest dropped first). Default 10,000. */
  maxDeliveries?: number
  /**
   * Keep at most this many bytes in all (oldest dropped first), counting each delivery's body,
   * header names and values, path and query. Default 256 MiB.
   */
  maxBytes?: number
  /** Drop deliveries received longer ago than this many milliseconds. Default: no age bound. */
  maxAgeMs?: number
  /** Names the store in timeout messages: an endpoint URL, `receiver http://…`. */
  label?: string
}

/**
 * Deliveries kept in arrival order, bounded in count and bytes, and awaitable. The receiver,
 * each endpoint, the remote client and the msw interceptor all keep theirs in one of these.
 */
export interface DeliveryStore {
  readonly label: string
  /** Every delivery kept, oldest first (a snapshot: later arrivals do not change it). */
  readonly deliveries: readonly Delivery[]
  /** How many deliveries the bounds have dropped so far. */
  readonly dropped: number
  /** Bytes currently kept (bodies, headers, paths and queries), as `maxBytes` counts them. */
  readonly bytes: number
  /**
   * Keep a delivery (dropping the oldest past the bounds) and settle the waiters it completes.
   * `bytes` is what it costs against `maxBytes`; by default `deliveryBytes(delivery)`.
   */
  add(delivery: Delivery, bytes?: number): void
  /** Forget every delivery kept; pending waiters keep waiting for new ones. */
  clear(): void
  /** See `DeliverySource.waitFor`. */
  waitFor(options?: WaitForOptions): Promise<Delivery[]>
  /** Reject pending waiters with `HOOKWRIGHT_CLOSED` (and any later `waitFor`). */
  close(reason?: string): void
}

const DEFAULT_MAX_DELIVERIES = 10_000
/** The default `maxBytes` of a receiver or store. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024
const WAIT_KEYS = ['count', 'timeout', 'match']
/** How many arrivals a timeout message lists before saying "and N more". */
const LISTED_ARRIVALS = 10

interface Waiter {
  count: number
  match: DeliveryMatcher | undefined
  found: Delivery[]
  matchError: unknown
  /** Where waitFor was called, so a timeout points at the test's line rather than a timer. */
  callSite: { stack?: string }
  resolve(deliveries: Delivery[]): void
  fail(error: HookwrightError): void
}

/**
 * Makes a bounded, awaitable store of deliveries. Below the bounds nothing is lost; past them
 * the oldest go first and `dropped` counts them. The newest delivery is always kept, even if
 * its body alone is over `maxBytes`.
 *
 * @example
 * const store = createDeliveryStore({ maxDeliveries: 100, label: 'my interceptor' })
 * store.add(delivery)
 * const [first] = await store.waitFor({ match: (d) => d.method === 'POST', timeout: 1000 })
 */
export function createDeliveryStore(options: DeliveryStoreOptions = {}): DeliveryStore {
  return new BoundedStore(storeBounds(options), options.label ?? 'delivery store')
}

/** An endpoint's view of the receiver's deliveries: it drops what the receiver drops. */
export interface EndpointStore extends DeliveryStore {
  /** Drops `delivery` if it is the oldest this view keeps (the receiver dropped it). */
  forget(delivery: Delivery): void
}

/** Makes an endpoint's view: kept by age and count as the receiver's; bytes are the receiver's. */
export function createEndpointStore(
  bounds: StoreBounds,
  label: string,
  nearMisses?: () => string,
): EndpointStore {
  return new BoundedStore(
    { ...bounds, maxBytes: Infinity },
    label,
    nearMisses ? { nearMisses } : {},
  )
}

/**
 * The receiver's store: one byte budget for everything the receiver holds. Bodies still
 * arriving reserve their bytes as they come (`reserve`), so kept deliveries and in-flight
 * bodies together stay within `maxBytes`; what it drops, `onDrop` hears of, so that endpoint
 * views drop it too and never hold more than the receiver does.
 */
export interface BudgetStore extends DeliveryStore {
  /**
   * Counts `bytes` more of a request still being read, dropping the oldest kept deliveries to
   * make room. False (and nothing counted) when in-flight bytes alone would pass `maxBytes`.
   */
  reserve(bytes: number): boolean
  /** Gives back bytes that `reserve` counted (the request finished or was refused). */
  release(bytes: number): void
  /** Drops the deliveries older than `maxAgeMs` now (they also go whenever the store is read). */
  expire(): void
}

/** Makes the receiver's store (see `BudgetStore`). */
export function createBudgetStore(
  bounds: StoreBounds,
  label: string,
  onDrop: (delivery: Delivery) => void,
): BudgetStore {
  return new BoundedStore(bounds, label, { onDrop })
}

/**
 * What a delivery costs against `maxBytes`: its body, header names and values, path and query
 * (string lengths, close to their bytes in memory). The receiver counts the same from the
 * request as it arrives.
 */
export function deliveryBytes(d: Delivery): number {
  let n = d.rawBody.byteLength + d.path.length
  for (const record of [d.headers, d.query]) {
    for (const name in record) {
      const value = record[name]!
      if (Array.isArray(value)) for (const v of value) n += name.length + v.length
      else n += name.length + value.length
    }
  }
  return n
}

// A class rather than an object literal with getters: V8 builds literals with accessors on a
// slow path (~100x slower), and every receiver and endpoint makes one of these.
class BoundedStore implements BudgetStore, EndpointStore {
  readonly label: string
  readonly #maxDeliveries: number
  readonly #maxBytes: number
  readonly #maxAgeMs: number
  readonly #onDrop: ((delivery: Delivery) => void) | undefined
  // An array with a moving head: dropping the oldest is O(1), compacted now and then. The
  // cost of each item against maxBytes sits at the same index of #costs.
  #items: Delivery[] = []
  #costs: number[] = []
  #head = 0
  /** Bytes of requests still being read (see reserve). */
  #reserved = 0
  #snapshot: readonly Delivery[] | undefined
  #bytes = 0
  #dropped = 0
  #closedReason: string | undefined
  // Made by the first waitFor that has to wait: most stores never have a waiter.
  #waiters: Set<Waiter> | undefined
  readonly #nearMisses: (() => string) | undefined

  constructor(
    bounds: StoreBounds,
    label: string,
    {
      onDrop,
      nearMisses,
    }: { onDrop?: (delivery: Delivery) => void; nearMisses?: () => string } = {},
  ) {
    this.#maxDeliveries = bounds.maxDeliveries
    this.#maxBytes = bounds.maxBytes
    this.#maxAgeMs = bounds.maxAgeMs
    this.#onDrop = onDrop
    this.label = label
    this.#nearMisses = nearMisses
  }

  get deliveries(): readonly Delivery[] {
    this.#dropExpired()
    this.#snapshot ??= Object.freeze(this.#items.slice(this.#head))
    return this.#snapshot
  }

  get dropped(): number {
    return this.#dropped
  }

  get bytes(): number {
    return this.#bytes
  }

  add(delivery: Delivery, bytes: number = deliveryBytes(delivery)): void {
    this.#dropExpired()
    this.#items.push(delivery)
    this.#costs.push(bytes)
    this.#bytes += bytes
    this.#snapshot = undefined
    while (
      this.#items.length - this.#head > this.#maxDeliveries ||
      (this.#bytes + this.#reserved > this.#maxBytes && this.#items.length - this.#head > 1)
    ) {
      this.#dropOldest()
    }
    // Stryker disable next-line ConditionalExpression: only a shortcut; the loop below does nothing for no waiters
    if (this.#waiters === undefined || this.#waiters.size === 0) return
    for (const waiter of this.#waiters) {
      if (offer(waiter, delivery)) waiter.resolve(waiter.found)
    }
  }

  reserve(bytes: number): boolean {
    if (this.#reserved + bytes > this.#maxBytes) return false
    this.#reserved += bytes
    while (this.#bytes + this.#reserved > this.#maxBytes && this.#items.length > this.#head) {
      this.#dropOldest()
    }
    return true
  }

  release(bytes: number): void {
    this.#reserved = Math.max(0, this.#reserved - bytes)
  }

  /** Drops `delivery` if it is the oldest kept (the receiver dropped it; see BudgetStore). */
  forget(delivery: Delivery): void {
    // Past the last kept delivery the slot is undefined, never a delivery.
    if (this.#items[this.#head] === delivery) {
      this.#dropOldest()
    }
  }

  clear(): void {
    this.#items = []
    this.#costs = []
    this.#head = 0
    this.#bytes = 0
    this.#snapshot = undefined
  }

  waitFor(waitOptions: WaitForOptions = {}): Promise<Delivery[]> {
    if (waitOptions === null || typeof waitOptions !== 'object') {
      invalidOption('waitFor(options)', 'an object { count?, timeout?, match? }', waitOptions)
    }
    for (const key of Object.keys(waitOptions)) {
      if (!WAIT_KEYS.includes(key)) {
        invalidOption(`waitFor({ ${key} })`, `one of ${WAIT_KEYS.join(', ')}`, key, {
          hint: didYouMean(key, WAIT_KEYS, (k) => `\`${k}\``),
        })
      }
    }
    const { count = 1, timeout = defaultWaitTimeout(), match } = waitOptions
    if (!Number.isInteger(count) || count < 1) {
      invalidOption('waitFor({ count })', 'an integer >= 1', count)
    }
    if (typeof timeout !== 'number' || !(timeout >= 0) || timeout > 2 ** 31 - 1) {
      invalidOption('waitFor({ timeout })', 'milliseconds between 0 and 2147483647', timeout)
    }
    if (match !== undefined && typeof match !== 'function') {
      invalidOption('waitFor({ match })', 'a function (delivery) => boolean', match)
    }
    if (this.#closedReason !== undefined) {
      return Promise.reject(new HookwrightError('HOOKWRIGHT_CLOSED', this.#closedReason))
    }
    this.#dropExpired()
    return new Promise<Delivery[]>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        match,
        found: [],
        matchError: undefined,
        callSite: {},
        resolve,
        fail: reject,
      }
      for (let i = this.#head; i < this.#items.length; i++) {
        if (offer(waiter, this.#items[i]!)) return resolve(waiter.found)
      }
      // Only a wait that may time out pays for a stack.
      Error.captureStackTrace(waiter.callSite, BoundedStore.prototype.waitFor)
      // node:timers, not the global: fake timers installed by the test must not freeze it.
      const timer = setTimeout(() => waiter.fail(this.#timeoutError(waiter, timeout)), timeout)
      const waiters = (this.#waiters ??= new Set())
      waiter.resolve = (found) => {
        waiters.delete(waiter)
        clearTimeout(timer)
        resolve(found)
      }
      waiter.fail = (error) => {
        waiters.delete(waiter)
        clearTimeout(timer)
        reject(error)
      }
      waiters.add(waiter)
    })
  }

  close(reason = `${this.label} is closed.`): void {
    this.#closedReason = reason
    if (this.#waiters === undefined) return
    for (const waiter of this.#waiters) {
      waiter.fail(
        new HookwrightError('HOOKWRIGHT_CLOSED', `${reason} ${describeWait(waiter, this.label)}`),
      )
    }
  }

  #dropOldest(): void {
    const oldest = this.#items[this.#head]!
    this.#items[this.#head] = undefined as unknown as Delivery
    this.#bytes -= this.#costs[this.#head]!
    this.#head++
    this.#dropped++
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: when to compact changes only memory; what is kept, its order and bytes are the same
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#costs = this.#costs.slice(this.#head)
      this.#head = 0
    }
    this.#snapshot = undefined
    this.#onDrop?.(oldest)
  }

  expire(): void {
    this.#dropExpired()
  }

  /** Drops what is older than `maxAgeMs` (checked whenever the store is read or added to). */
  #dropExpired(): void {
    // Stryker disable next-line ConditionalExpression: only a shortcut; with no age bound the oldest allowed is -Infinity and nothing is older
    if (this.#maxAgeMs === Infinity) return
    const oldest = Date.now() - this.#maxAgeMs
    while (this.#items.length > this.#head && this.#items[this.#head]!.receivedAt < oldest) {
      this.#dropOldest()
    }
  }

  #timeoutError(waiter: Waiter, timeout: number): HookwrightError {
    this.#dropExpired()
    const arrived = this.#items.slice(this.#head)
    const lines = arrived.slice(0, LISTED_ARRIVALS).map((d) => `  ${summarizeDelivery(d)}`)
    if (arrived.length > LISTED_ARRIVALS) {
      lines.push(`  … and ${arrived.length - LISTED_ARRIVALS} more`)
    }
    const summary =
      arrived.length === 0
        ? 'Nothing arrived.'
        : `${arrived.length} ${plural(arrived.length, 'delivery', 'deliveries')} arrived, ` +
          `${waiter.found.length} matched:\n${lines.join('\n')}`
    const droppedNote =
      this.#dropped > 0
        ? `\n(${this.#dropped} older ${plural(this.#dropped, 'delivery was', 'deliveries were')} dropped by the store bounds.)`
        : ''
    const matchNote =
      waiter.matchError === undefined
        ? ''
        : `\nThe match function threw on at least one delivery: ${errorText(waiter.matchError)}`
    const nearNote = this.#nearMisses?.() ?? ''
    const message = `Timed out after ${timeout} ms ${describeWait(waiter, this.label)}\n${summary}${nearNote}${droppedNote}${matchNote}`
    const error = new HookwrightError('HOOKWRIGHT_TIMEOUT', message)
    // The frames of the waitFor call (the stack captured here is only a timer's).
    // Stryker disable next-line OptionalChaining,ArrayDeclaration: captureStackTrace always sets the call site's stack
    const frames = waiter.callSite.stack?.split('\n').slice(1) ?? []
    // Stryker disable next-line ConditionalExpression,EqualityOperator: there is always a frame (see above)
    if (frames.length > 0) error.stack = [`${error.name}: ${message}`, ...frames].join('\n')
    return error
  }
}

function offer(waiter: Waiter, delivery: Delivery): boolean {
  let matched = true
  if (waiter.match) {
    try {
      matched = waiter.match(delivery) === true
    } catch (error) {
      // A matcher that throws (say `d.json()` on a non-JSON body) is a non-match; the first
      // such error is shown if the wait times out.
      matched = false
      waiter.matchError ??= error
    }
  }
  if (matched) waiter.found.push(delivery)
  return waiter.found.length >= waiter.count
}

function describeWait(waiter: Waiter, label: string): string {
  const what = `${waiter.count} ${plural(waiter.count, 'delivery', 'deliveries')}`
  const matching = waiter.match ? ` matching ${describeMatcher(waiter.match)}` : ''
  return `waiting for ${what}${matching} at ${label}.`
}

/** Bounds of a store, checked and with their defaults. */
export interface StoreBounds {
  maxDeliveries: number
  maxBytes: number
  /** Infinity when deliveries are kept whatever their age. */
  maxAgeMs: number
}

/** The bounds with their defaults, checked: throws `HOOKWRIGHT_INVALID_OPTION` naming the bad one. */
export function storeBounds(options: DeliveryStoreOptions): StoreBounds {
  const maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) {
    invalidOption('maxDeliveries', 'an integer >= 1', options.maxDeliveries)
  }
  if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) {
    invalidOption('maxBytes', 'a number of bytes >= 0', options.maxBytes)
  }
  const maxAgeMs = options.maxAgeMs ?? Infinity
  if (typeof maxAgeMs !== 'number' || !(maxAgeMs > 0)) {
    invalidOption('maxAgeMs', 'a number of milliseconds > 0 (7 days: 604800000)', options.maxAgeMs)
  }
  return { maxDeliveries, maxBytes, maxAgeMs }
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many
}

function describeMatcher(match: DeliveryMatcher): string {
  const source = Function.prototype.toString.call(match).replace(/\s+/g, ' ').trim()
  const shown = source.length > 200 ? `${source.slice(0, 199)}…` : source
  // A named function declared elsewhere reads better by name than by its whole body.
  if (match.name && !source.startsWith('(') && !/^\w+\s*=>/.test(source)) {
    return `${match.name} (${shown.length > 80 ? `${shown.slice(0, 79)}…` : shown})`
  }
  return shown
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
