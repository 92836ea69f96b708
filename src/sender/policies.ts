import { invalidOption } from '../errors.js'

/** Why the previous attempt failed, in the words Slack uses for `X-Slack-Retry-Reason`. */
export type RetryReason = 'http_error' | 'http_timeout' | 'connection_failed'

/** What a policy's `retryHeaders` hook is told about the retry it is adding headers to. */
export interface RetryContext {
  /** 1 for the first retry (the second attempt), 2 for the next… */
  retry: number
  /** The status the previous attempt got, if it got one. */
  previousStatus?: number
  reason: RetryReason
}

/**
 * A sender's retry schedule as data: the delay before each retry, how much jitter, and the
 * headers a sender adds on retries. Data, not behaviour, so a test can hold a sender's real
 * attempts up against it.
 *
 * @example
 * retryPolicies.standardWebhooks.delays // [5000, 300000, 1800000, …]
 */
export interface RetryPolicy {
  /** `standardWebhooks`, `stripe`, `exponential`… */
  readonly name: string
  /** Milliseconds to wait before retry 1, 2, …; the first attempt is always immediate. */
  readonly delays: readonly number[]
  /** Each delay may be off by this fraction either way (0.1 = ±10%); 0 for none. */
  readonly jitter: number
  /** Extra headers on a retry (Slack's `x-slack-retry-num`); undefined for none. */
  readonly retryHeaders?: (context: RetryContext) => Record<string, string>
  /** Where the schedule comes from: the provider's documentation. */
  readonly source: string
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

function policy(p: RetryPolicy): RetryPolicy {
  return Object.freeze({ ...p, delays: Object.freeze([...p.delays]) })
}

/** Options of `exponential()`: delay i (0-based) is `min(max, base * factor^i)`. */
export interface ExponentialOptions {
  /** Milliseconds before the first retry. Default 1000. */
  base?: number
  /** Growth per retry. Default 2. */
  factor?: number
  /** Cap on any one delay, in milliseconds. Default: none. */
  max?: number
  /** ±fraction of each delay, from 0 to 1. Default 0. */
  jitter?: number
  /** Attempts in all, the first delivery included. Default 5. */
  attempts?: number
}

/**
 * A custom exponential backoff: `attempts - 1` retries, the i-th after `min(max, base·factor^i)`
 * milliseconds, each ±`jitter`.
 *
 * @example
 * exponential({ base: 1000, factor: 2, max: 8000, attempts: 5 }).delays // [1000, 2000, 4000, 8000]
 */
export function exponential(options: ExponentialOptions = {}): RetryPolicy {
  if (options === null || typeof options !== 'object') {
    invalidOption(
      'exponential(options)',
      'an object { base, factor, max, jitter, attempts }',
      options,
    )
  }
  const { base = SECOND, factor = 2, max = Infinity, jitter = 0, attempts = 5 } = options
  // Stryker disable next-line ConditionalExpression: `typeof x !== 'number'` narrows the type; Number.isFinite already refuses every non-number
  if (typeof base !== 'number' || !Number.isFinite(base) || base < 0) {
    invalidOption('exponential({ base })', 'milliseconds >= 0', base)
  }
  // Stryker disable next-line ConditionalExpression: `typeof x !== 'number'` narrows the type; Number.isFinite already refuses every non-number
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    invalidOption('exponential({ factor })', 'a number >= 1', factor)
  }
  if (typeof max !== 'number' || Number.isNaN(max) || max < 0) {
    invalidOption('exponential({ max })', 'milliseconds >= 0', max)
  }
  checkJitter(jitter, 'exponential({ jitter })')
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) {
    invalidOption('exponential({ attempts })', 'a whole number from 1 to 1000', attempts)
  }
  const delays = Array.from({ length: attempts - 1 }, (_, i) =>
    Math.round(Math.min(max, base * factor ** i)),
  )
  return policy({ name: 'exponential', delays, jitter, source: 'custom' })
}

function checkJitter(jitter: unknown, option: string): void {
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    invalidOption(option, 'a fraction from 0 to 1 (0.1 = ±10%)', jitter)
  }
}

/** Checks a policy given by a user (any object of the RetryPolicy shape works). */
export function checkPolicy(value: unknown, option = 'retry'): RetryPolicy {
  const p = value as RetryPolicy
  // Stryker disable next-line ConditionalExpression: `typeof p !== 'object'` narrows the type; only an object can hold a `delays` array
  if (p === null || typeof p !== 'object' || !Array.isArray(p.delays)) {
    invalidOption(
      option,
      'a retry policy such as retryPolicies.standardWebhooks or exponential({ … })',
      value,
    )
  }
  p.delays.forEach((d, i) => {
    // Stryker disable next-line ConditionalExpression: `typeof x !== 'number'` narrows the type; Number.isFinite already refuses every non-number
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 2 ** 31 - 1) {
      invalidOption(`${option}.delays[${i}]`, 'milliseconds between 0 and 2147483647', d)
    }
  })
  checkJitter(p.jitter ?? 0, `${option}.jitter`)
  if (p.retryHeaders !== undefined && typeof p.retryHeaders !== 'function') {
    invalidOption(`${option}.retryHeaders`, 'a function (context) => headers', p.retryHeaders)
  }
  return p
}

/**
 * The retry schedules of real webhook senders, as data. Sources are in docs/sending.md; where a
 * provider publishes only the outline (Stripe, Shopify), the exact numbers chosen are said there.
 *
 * @example
 * await sendWebhook(url, { scheme: 'standardWebhooks', secret, payload, retry: retryPolicies.standardWebhooks })
 */
export const retryPolicies = Object.freeze({
  /** The Standard Webhooks spec's example: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
  standardWebhooks: policy({
    name: 'standardWebhooks',
    delays: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
    jitter: 0,
    source:
      'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md',
  }),
  /** Svix's documented schedule (the one the Standard Webhooks spec took its example from). */
  svix: policy({
    name: 'svix',
    delays: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
    jitter: 0,
    source: 'https://docs.svix.com/retries',
  }),
  /**
   * Stripe live mode: "up to three days with an exponential back off". Stripe does not publish
   * the intervals; these are the commonly observed ones (5 min, 30 min, 2 h, 4 h, 8 h, 16 h, 24 h).
   */
  stripe: policy({
    name: 'stripe',
    delays: [5 * MINUTE, 30 * MINUTE, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 24 * HOUR],
    jitter: 0,
    source: 'https://docs.stripe.com/webhooks#automatic-retries',
  }),
  /**
   * Shopify: "retried a total of 8 times over 4 hours using an exponential backoff schedule".
   * Intervals unpublished: doubling from 1 min, the last one trimmed so the eighth lands at 4 h.
   */
  shopify: policy({
    name: 'shopify',
    delays: [1, 2, 4, 8, 16, 32, 64, 113].map((m) => m * MINUTE),
    jitter: 0,
    source: 'https://shopify.dev/changelog/updates-to-webhook-retry-mechanism',
  }),
  /**
   * Slack's Events API: 3 retries, nearly immediately, after 1 minute and after 5 minutes, each
   * with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`.
   */
  slack: policy({
    name: 'slack',
    delays: [0, 1 * MINUTE, 5 * MINUTE],
    jitter: 0,
    retryHeaders: ({ retry, reason }) => ({
      'x-slack-retry-num': String(retry),
      'x-slack-retry-reason': reason,
    }),
    source: 'https://api.slack.com/apis/events-api#retries',
  }),
  /** GitHub: failed deliveries are not redelivered automatically. */
  none: policy({
    name: 'none',
    delays: [],
    jitter: 0,
    source: 'https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries',
  }),
})
