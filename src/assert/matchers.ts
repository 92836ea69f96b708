import { createDelivery, summarizeDelivery } from '../delivery.js'
import type { Delivery, DeliveryData } from '../delivery.js'
import { HookwrightError, invalidOption } from '../errors.js'
import type { DeliverySource } from '../receiver/types.js'
import {
  headerCheck,
  jsonCheck,
  methodCheck,
  pathCheck,
  signatureCheck,
  sortDeliveries,
  verifyDelivery,
} from './checks.js'
import type {
  DeliveryCheck,
  GroupCheck,
  HeaderExpectation,
  SignatureExpectation,
} from './checks.js'
import { isDeliverySource, sourceOrigin } from './expect-webhook.js'
import { deliveriesCount, formatFailure } from './format.js'
import type { PartialMatch } from './partial.js'

/** What `toHaveReceivedWebhook` looks for; every field optional. */
export interface WebhookExpectation {
  /** A deep partial of the JSON body (see `withJson`). */
  json?: unknown
  /** Header name → exact value, RegExp, predicate or `sameForEveryAttempt`. */
  headers?: Record<string, HeaderExpectation>
  method?: string
  path?: string | RegExp
  /** Exactly this many matching deliveries (default: at least one). */
  count?: number
  signature?: SignatureExpectation
}

/** The secret part of a signature check: a secret, or `{ secret | secrets, tolerance }`. */
export type SignatureSecret = string | Omit<SignatureExpectation, 'scheme'>

/**
 * The matchers `hookwright/vitest` and `hookwright/jest` add to `expect`. They are synchronous:
 * they look at what has arrived so far, so await `ep.waitFor()` or `expectWebhook(ep)` first.
 */
export interface WebhookMatchers<R> {
  /**
   * At least one delivery (or exactly `count`) matches every given field.
   *
   * @example
   * expect(ep).toHaveReceivedWebhook({ json: { type: 'invoice.paid' }, method: 'POST' })
   */
  toHaveReceivedWebhook(expected?: WebhookExpectation): R
  /**
   * Exactly `times` deliveries arrived, whatever they hold.
   *
   * @example
   * expect(ep).toHaveReceivedWebhookTimes(3)
   */
  toHaveReceivedWebhookTimes(times: number): R
  /**
   * At least one delivery's JSON matches the deep partial.
   *
   * @example
   * expect(ep).toHaveReceivedWebhookWithJson({ data: { object: { amount_paid: 500 } } })
   */
  toHaveReceivedWebhookWithJson<T = unknown>(partial: PartialMatch<T>): R
  /**
   * At least one delivery has the header (with this value, if given).
   *
   * @example
   * expect(ep).toHaveReceivedWebhookWithHeader('content-type', /json/)
   */
  toHaveReceivedWebhookWithHeader(name: string, expected?: HeaderExpectation): R
  /**
   * A delivery carries a valid signature of this scheme for this secret, as of its arrival.
   *
   * @example
   * expect(delivery).toHaveValidSignature('github', secret)
   */
  toHaveValidSignature(scheme: SignatureExpectation['scheme'], secret: SignatureSecret): R
}

interface MatcherContext {
  isNot?: boolean
}

interface MatcherResult {
  pass: boolean
  message: () => string
}

const EXPECTATION_KEYS = ['json', 'headers', 'method', 'path', 'count', 'signature']

function requireSource(received: unknown, matcher: string): DeliverySource {
  if (!isDeliverySource(received)) {
    invalidOption(
      `expect(received).${matcher}`,
      'an endpoint, a receiver, a remote receiver or an interceptor as `received`',
      received,
    )
  }
  return received
}

function title(ctx: MatcherContext, received: string, matcher: string): string {
  return `expect(${received})${ctx.isNot ? '.not' : ''}.${matcher}()`
}

/** Shared by the source matchers: sort what arrived, decide, and explain both ways. */
function sourceResult(
  ctx: MatcherContext,
  source: DeliverySource,
  matcher: string,
  checks: readonly DeliveryCheck[],
  groups: readonly GroupCheck[],
  count: number | undefined,
): MatcherResult {
  const deliveries = [...source.deliveries]
  const { matched, misses } = sortDeliveries(deliveries, checks)
  const groupProblems = groups.flatMap((group) => group.misses(matched))
  const countOk = count === undefined ? matched.length > 0 : matched.length === count
  const pass = countOk && groupProblems.length === 0
  const wanted = count === undefined ? 'at least 1 delivery' : `exactly ${deliveriesCount(count)}`
  return {
    pass,
    message: () =>
      formatFailure({
        title: title(ctx, source.label, matcher),
        expected: !ctx.isNot
          ? `expected ${wanted} to match`
          : count === undefined
            ? 'expected no delivery to match'
            : `expected not ${wanted} to match`,
        criteria: [...checks, ...groups].map((check) => check.description),
        outcome:
          countOk && groupProblems.length > 0
            ? `${matched.length} matched, but together they do not:`
            : `but ${matched.length} matched.`,
        groupProblems,
        deliveries,
        misses,
        label: source.label,
      }),
  }
}

function countOption(count: unknown, option: string): number {
  if (!Number.isInteger(count) || (count as number) < 0) {
    invalidOption(option, 'an integer >= 0', count)
  }
  return count as number
}

/**
 * The matchers as plain functions, for `expect.extend`. `hookwright/vitest` and `hookwright/jest`
 * register them; register them yourself (`expect.extend(webhookMatchers)`) where there is no
 * global `expect`, such as jest with `injectGlobals: false`.
 *
 * @example
 * import { expect } from '@jest/globals'
 * import { webhookMatchers } from 'hookwright/jest'
 * expect.extend(webhookMatchers)
 */
export const webhookMatchers = {
  toHaveReceivedWebhook(
    this: MatcherContext,
    received: unknown,
    expected: WebhookExpectation = {},
  ): MatcherResult {
    const source = requireSource(received, 'toHaveReceivedWebhook')
    if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) {
      invalidOption(
        'toHaveReceivedWebhook(expected)',
        `an object with any of ${EXPECTATION_KEYS.join(', ')}`,
        expected,
      )
    }
    const unknown = Object.keys(expected).filter((key) => !EXPECTATION_KEYS.includes(key))
    if (unknown.length > 0) {
      invalidOption(
        'toHaveReceivedWebhook(expected)',
        `only the keys ${EXPECTATION_KEYS.join(', ')} (to match the payload, wrap it: { json: … })`,
        `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      )
    }
    const checks: DeliveryCheck[] = []
    const groups: GroupCheck[] = []
    if (expected.method !== undefined) checks.push(methodCheck(expected.method))
    if (expected.path !== undefined) checks.push(pathCheck(expected.path))
    if (expected.json !== undefined) checks.push(jsonCheck(expected.json))
    for (const [name, value] of Object.entries(expected.headers ?? {})) {
      const { each, group } = headerCheck(name, value)
      checks.push(each)
      if (group) groups.push(group)
    }
    if (expected.signature !== undefined) {
      checks.push(signatureCheck(expected.signature, sourceOrigin(source)))
    }
    const count =
      expected.count === undefined
        ? undefined
        : countOption(expected.count, 'toHaveReceivedWebhook count')
    return sourceResult(this, source, 'toHaveReceivedWebhook', checks, groups, count)
  },

  toHaveReceivedWebhookTimes(this: MatcherContext, received: unknown, times: number) {
    const source = requireSource(received, 'toHaveReceivedWebhookTimes')
    return sourceResult(
      this,
      source,
      'toHaveReceivedWebhookTimes',
      [],
      [],
      countOption(times, 'toHaveReceivedWebhookTimes(times)'),
    )
  },

  toHaveReceivedWebhookWithJson(this: MatcherContext, received: unknown, partial: unknown) {
    const source = requireSource(received, 'toHaveReceivedWebhookWithJson')
    return sourceResult(
      this,
      source,
      'toHaveReceivedWebhookWithJson',
      [jsonCheck(partial)],
      [],
      undefined,
    )
  },

  toHaveReceivedWebhookWithHeader(
    this: MatcherContext,
    received: unknown,
    name: string,
    expected?: HeaderExpectation,
  ) {
    const source = requireSource(received, 'toHaveReceivedWebhookWithHeader')
    const { each, group } = headerCheck(name, expected)
    return sourceResult(
      this,
      source,
      'toHaveReceivedWebhookWithHeader',
      [each],
      group ? [group] : [],
      undefined,
    )
  },

  toHaveValidSignature(
    this: MatcherContext,
    received: unknown,
    scheme: SignatureExpectation['scheme'],
    secret: SignatureSecret,
  ): MatcherResult {
    if (!isDeliveryData(received)) {
      if (isDeliverySource(received)) {
        // The commonest slip: the endpoint (or receiver) instead of what arrived at it.
        throw new HookwrightError(
          'HOOKWRIGHT_INVALID_OPTION',
          `Invalid option \`expect(received).toHaveValidSignature\`: expected a Delivery as \`received\`, ` +
            `got ${sourceKind(received)} (${received.label}); pass one of its deliveries: ` +
            'expect((await ep.waitFor())[0]).toHaveValidSignature(…), or use ' +
            'expect(ep).toHaveReceivedWebhook({ signature: { scheme, secret } }).',
        )
      }
      invalidOption('expect(received).toHaveValidSignature', 'a Delivery as `received`', received)
    }
    const delivery: Delivery =
      typeof (received as Delivery).header === 'function'
        ? (received as Delivery)
        : createDelivery(received)
    const options = typeof secret === 'string' ? { secret } : secret
    // Resolves the scheme and checks a secret was given, throwing on misuse as withValidSignature does.
    const resolved = signatureCheck({ ...options, scheme }).scheme
    const result = verifyDelivery(delivery, resolved, options)
    const head = `${title(this, 'delivery', 'toHaveValidSignature')}: expected ${
      this.isNot ? 'no' : 'a'
    } valid ${resolved.name} signature`
    return {
      pass: result.ok,
      message: () =>
        result.ok
          ? `${head}, but it verified.\n  ${summarizeDelivery(delivery)}`
          : `${head}\nbut: ${result.reason}: ${result.message}\n  ${summarizeDelivery(delivery)}`,
    }
  },
}

function isDeliveryData(value: unknown): value is DeliveryData {
  return (
    typeof value === 'object' &&
    value !== null &&
    // isView, not instanceof: jest runs tests in another realm, with its own Uint8Array.
    ArrayBuffer.isView((value as DeliveryData).rawBody) &&
    typeof (value as DeliveryData).headers === 'object'
  )
}

/** "an Endpoint", "a Receiver"… for messages about a source given where a delivery was due. */
function sourceKind(source: { label: string; path?: unknown; port?: unknown }): string {
  if (typeof source.path === 'string') return 'an Endpoint'
  if (typeof source.port === 'number') return 'a Receiver'
  return 'a DeliverySource'
}
