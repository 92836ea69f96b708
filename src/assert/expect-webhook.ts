import type { Delivery } from '../delivery.js'
import { HookwrightError, invalidOption } from '../errors.js'
import { defaultWaitTimeout } from '../runner-timeout.js'
import { callSiteOf, trackUnawaited } from '../unawaited.js'
import type { DeliverySource } from '../receiver/types.js'
import {
  headerCheck,
  jsonCheck,
  matchAll,
  methodCheck,
  pathCheck,
  retryDelaysCheck,
  signatureCheck,
  sortDeliveries,
} from './checks.js'
import type {
  DeliveryCheck,
  GroupCheck,
  HeaderExpectation,
  RetryDelayOptions,
  SignatureExpectation,
} from './checks.js'
import { deliveriesCount, formatFailure } from './format.js'
import type { PartialMatch } from './partial.js'

/** How many deliveries `expectWebhook` waits for, and how long. */
export interface ArriveOptions {
  /** Exactly this many matching deliveries (checked when the count is reached). */
  times?: number
  /** At least this many matching deliveries. */
  atLeast?: number
  /**
   * Milliseconds to wait, in real time even under fake timers. Default: 80% of the running
   * vitest or jest test's timeout (4,000 ms for their default 5 s), so this message comes first.
   */
  within?: number
}

/**
 * The fluent, awaitable assertion `expectWebhook` returns. Each `with…` adds a check every
 * matching delivery must pass; awaiting it waits for the deliveries and resolves with the
 * matched ones, or rejects with a `HOOKWRIGHT_ASSERTION` error listing what did arrive.
 */
export interface ExpectedWebhook extends PromiseLike<Delivery[]> {
  /**
   * Negates the assertion: fewer than `atLeast` (default 1) matching deliveries arrive within
   * `within`. Waits the whole `within`, so give a short one.
   */
  readonly not: ExpectedWebhook
  toArrive(options?: ArriveOptions): ExpectedWebhook
  withHeader(name: string, expected?: HeaderExpectation): ExpectedWebhook
  withJson<T = unknown>(partial: PartialMatch<T>): ExpectedWebhook
  withValidSignature(options: SignatureExpectation): ExpectedWebhook
  withRetryDelays(delays: readonly number[], options?: RetryDelayOptions): ExpectedWebhook
  withMethod(method: string): ExpectedWebhook
  withPath(path: string | RegExp): ExpectedWebhook
  catch<T = never>(
    onRejected?: ((reason: unknown) => T | PromiseLike<T>) | null,
  ): Promise<Delivery[] | T>
}

/**
 * Asserts that webhooks arrive at an endpoint, a receiver, a remote receiver or an interceptor
 * (any `DeliverySource`). It waits on the source's own `waitFor` rather than polling, on real
 * time, so it works with fake timers installed; forget the `await` and nothing is checked.
 *
 * @example
 * const attempts = await expectWebhook(ep)
 *   .toArrive({ times: 3, within: 5000 })
 *   .withHeader('webhook-id', sameForEveryAttempt)
 *   .withJson({ type: 'invoice.paid', data: { object: { amount_paid: 500 } } })
 *   .withValidSignature({ scheme: 'stripe', secret })
 *   .withRetryDelays([1000, 2000], { tolerance: 250 })
 */
export function expectWebhook(source: DeliverySource): ExpectedWebhook {
  if (!isDeliverySource(source)) {
    invalidOption(
      'expectWebhook(source)',
      'an endpoint, a receiver, a remote receiver or an interceptor (a DeliverySource)',
      source,
    )
  }
  // Captured where the test wrote the assertion, so a failure (or a warning that it was never
  // awaited) points at that line, not at ours.
  const callSite: { stack?: string } = {}
  Error.captureStackTrace(callSite, expectWebhook)
  return new WebhookAssertion(source, callSite)
}

/** True for anything with the shape of a `DeliverySource`. */
export function isDeliverySource(value: unknown): value is DeliverySource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DeliverySource).waitFor === 'function' &&
    Array.isArray((value as DeliverySource).deliveries)
  )
}

/** The origin of a source that has a URL (an endpoint, a receiver), for schemes that sign the URL. */
export function sourceOrigin(source: DeliverySource): string | undefined {
  const url = (source as { url?: unknown }).url
  if (typeof url !== 'string') return undefined
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

class WebhookAssertion implements ExpectedWebhook {
  readonly #source: DeliverySource
  readonly #checks: DeliveryCheck[] = []
  readonly #groups: GroupCheck[] = []
  #arrive: ArriveOptions = {}
  #gaps = 0
  #negated = false
  #run: Promise<Delivery[]> | undefined
  readonly #callSite: { stack?: string }
  readonly #awaited: () => void

  constructor(source: DeliverySource, callSite: { stack?: string }) {
    this.#source = source
    this.#callSite = callSite
    this.#awaited = trackUnawaited(source, source.label, callSiteOf(callSite.stack))
  }

  get not(): ExpectedWebhook {
    return this.#edit(() => {
      this.#negated = !this.#negated
    })
  }

  toArrive(options: ArriveOptions = {}): ExpectedWebhook {
    return this.#edit(() => {
      if (options === null || typeof options !== 'object') {
        invalidOption('toArrive(options)', 'an object { times?, atLeast?, within? }', options)
      }
      const { times, atLeast, within } = options
      if (times !== undefined && atLeast !== undefined) {
        invalidOption('toArrive', 'either `times` (exact) or `atLeast`, not both', 'both')
      }
      for (const [name, value] of [
        ['times', times],
        ['atLeast', atLeast],
      ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
          invalidOption(
            `toArrive ${name}`,
            'an integer >= 1 (for "none arrives" use expectWebhook(source).not.toArrive({ within }))',
            value,
          )
        }
      }
      if (within !== undefined && (typeof within !== 'number' || !(within >= 0))) {
        invalidOption('toArrive within', 'milliseconds >= 0', within)
      }
      this.#arrive = options
    })
  }

  withHeader(name: string, expected?: HeaderExpectation): ExpectedWebhook {
    return this.#edit(() => {
      const { each, group } = headerCheck(name, expected)
      this.#checks.push(each)
      if (group) this.#groups.push(group)
    })
  }

  withJson<T = unknown>(partial: PartialMatch<T>): ExpectedWebhook {
    return this.#edit(() => {
      this.#checks.push(jsonCheck(partial))
    })
  }

  withValidSignature(options: SignatureExpectation): ExpectedWebhook {
    return this.#edit(() => {
      this.#checks.push(signatureCheck(options, sourceOrigin(this.#source)))
    })
  }

  withRetryDelays(delays: readonly number[], options?: RetryDelayOptions): ExpectedWebhook {
    return this.#edit(() => {
      this.#groups.push(retryDelaysCheck(delays, options))
      this.#gaps = delays.length
    })
  }

  withMethod(method: string): ExpectedWebhook {
    return this.#edit(() => {
      this.#checks.push(methodCheck(method))
    })
  }

  withPath(path: string | RegExp): ExpectedWebhook {
    return this.#edit(() => {
      this.#checks.push(pathCheck(path))
    })
  }

  then<A = Delivery[], B = never>(
    onFulfilled?: ((value: Delivery[]) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (this.#run === undefined) {
      this.#awaited()
      this.#run = this.#evaluate()
    }
    return this.#run.then(onFulfilled, onRejected)
  }

  catch<T = never>(
    onRejected?: ((reason: unknown) => T | PromiseLike<T>) | null,
  ): Promise<Delivery[] | T> {
    return this.then(undefined, onRejected)
  }

  /**
   * Applies one builder step. A step that throws (misuse) ends the chain: it will never be
   * awaited, and the error already told the user, so it is not reported as unawaited too.
   */
  #edit(change: () => void): this {
    this.#editable()
    try {
      change()
    } catch (error) {
      this.#awaited()
      throw error
    }
    return this
  }

  #editable(): void {
    if (this.#run) {
      throw new HookwrightError(
        'HOOKWRIGHT_INVALID_OPTION',
        'expectWebhook: this assertion has already been awaited; start a new expectWebhook(source) to check more.',
      )
    }
  }

  async #evaluate(): Promise<Delivery[]> {
    const { times, atLeast, within = defaultWaitTimeout() } = this.#arrive
    if (this.#negated && (times !== undefined || this.#groups.length > 0)) {
      invalidOption(
        'expectWebhook(...).not',
        'only toArrive({ atLeast, within }) and per-delivery checks (times, withRetryDelays and sameForEveryAttempt have no clear negation)',
        times !== undefined ? 'times' : 'a check across deliveries',
      )
    }
    const target = times ?? atLeast ?? (this.#gaps > 0 ? this.#gaps + 1 : 1)
    const source = this.#source
    let waited: Delivery[] = []
    let arrived = true
    try {
      waited = await source.waitFor({
        count: target,
        timeout: within,
        match: matchAll(this.#checks),
      })
    } catch (error) {
      if (!(error instanceof HookwrightError && error.code === 'HOOKWRIGHT_TIMEOUT')) throw error
      arrived = false
    }
    const deliveries = [...source.deliveries]
    const sorted = sortDeliveries(deliveries, this.#checks)
    // A remote source's list may lag its waitFor; what waitFor returned has arrived for sure.
    const matched = sorted.matched.length >= waited.length ? sorted.matched : waited
    const report = {
      title: `expectWebhook(${source.label})`,
      criteria: [...this.#checks, ...this.#groups].map((check) => check.description),
      deliveries,
      misses: sorted.misses,
      label: source.label,
    }

    if (this.#negated) {
      if (!arrived) return matched
      throw this.#failure(
        formatFailure({
          ...report,
          expected: `expected ${target === 1 ? 'no delivery' : `fewer than ${deliveriesCount(target)}`} within ${within} ms`,
          outcome: `but ${matched.length} matched.`,
        }),
      )
    }

    const expected = `expected ${times !== undefined ? 'exactly' : 'at least'} ${deliveriesCount(target)} within ${within} ms`
    if (!arrived || (times !== undefined && matched.length !== times)) {
      throw this.#failure(
        formatFailure({
          ...report,
          expected,
          outcome: arrived
            ? `but ${matched.length} matched (more than ${times}).`
            : `but ${matched.length} matched in ${within} ms.`,
        }),
      )
    }
    const groupProblems = this.#groups.flatMap((group) => group.misses(matched))
    if (groupProblems.length > 0) {
      throw this.#failure(
        formatFailure({
          ...report,
          expected,
          outcome: `${matched.length} matched, but together they do not:`,
          groupProblems,
        }),
      )
    }
    return matched
  }

  #failure(message: string): HookwrightError {
    const error = new HookwrightError('HOOKWRIGHT_ASSERTION', message)
    const frames = this.#callSite.stack?.split('\n').slice(1) ?? []
    error.stack = [`${error.name}: ${message}`, ...frames].join('\n')
    return error
  }
}
