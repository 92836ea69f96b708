import { describe, expect, it } from 'vitest'
import { HookwrightError, exponential, retryPolicies } from '../../src/index.js'
import { checkPolicy } from '../../src/sender/policies.js'

// Retry policies are data a test holds a real sender up against, so the numbers are the contract.

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** The message of the HookwrightError `run` throws; fails the test if it returns. */
function misuse(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(HookwrightError)
    expect((error as HookwrightError).code).toBe('HOOKWRIGHT_INVALID_OPTION')
    return (error as Error).message
  }
  return expect.unreachable('expected a misuse error')
}

describe('retryPolicies', () => {
  it('hold the published schedules, in milliseconds', () => {
    const schedule = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]
    expect(retryPolicies.standardWebhooks.delays).toEqual(schedule)
    expect(retryPolicies.svix.delays).toEqual(schedule)
    expect(retryPolicies.stripe.delays).toEqual([
      5 * MINUTE,
      30 * MINUTE,
      2 * HOUR,
      4 * HOUR,
      8 * HOUR,
      16 * HOUR,
      24 * HOUR,
    ])
    // Shopify: 8 retries over 4 hours.
    expect(retryPolicies.shopify.delays).toEqual(
      [1, 2, 4, 8, 16, 32, 64, 113].map((m) => m * MINUTE),
    )
    expect(retryPolicies.shopify.delays.reduce((a, b) => a + b)).toBe(4 * HOUR)
    expect(retryPolicies.slack.delays).toEqual([0, MINUTE, 5 * MINUTE])
    expect(retryPolicies.none.delays).toEqual([])
  })

  it('are named, without jitter, sourced from the provider docs, and frozen', () => {
    for (const [key, policy] of Object.entries(retryPolicies)) {
      expect(policy.name).toBe(key)
      expect(policy.jitter).toBe(0)
      expect(policy.source).toMatch(/^https:\/\/(docs\.|api\.|shopify\.dev|github\.com)/)
      expect(Object.isFrozen(policy)).toBe(true)
      expect(Object.isFrozen(policy.delays)).toBe(true)
    }
    expect(Object.isFrozen(retryPolicies)).toBe(true)
    expect(retryPolicies.stripe.source).toContain('stripe.com')
    expect(retryPolicies.svix.source).toContain('svix.com')
  })

  it('slack adds X-Slack-Retry-Num and X-Slack-Retry-Reason; the others add nothing', () => {
    expect(
      retryPolicies.slack.retryHeaders!({ retry: 2, previousStatus: 500, reason: 'http_timeout' }),
    ).toEqual({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })
    for (const name of ['standardWebhooks', 'svix', 'stripe', 'shopify', 'none'] as const) {
      expect(retryPolicies[name].retryHeaders).toBeUndefined()
    }
  })
})

describe('exponential', () => {
  it('defaults to 5 attempts doubling from 1 s, no cap, no jitter', () => {
    const policy = exponential()
    expect(policy).toEqual({
      name: 'exponential',
      delays: [1000, 2000, 4000, 8000],
      jitter: 0,
      source: 'custom',
    })
    expect(Object.isFrozen(policy.delays)).toBe(true)
  })

  it('delay i is min(max, base·factor^i), rounded to whole milliseconds', () => {
    expect(exponential({ base: 1000, factor: 2, max: 8000, attempts: 6 }).delays).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ])
    expect(exponential({ base: 1000, factor: 1.5, attempts: 5 }).delays).toEqual([
      1000, 1500, 2250, 3375,
    ])
    expect(exponential({ base: 333.4, factor: 1, attempts: 3 }).delays).toEqual([333, 333])
    expect(exponential({ base: 0.5, factor: 1, attempts: 2 }).delays).toEqual([1])
    expect(exponential({ base: 10, max: 0, attempts: 3 }).delays).toEqual([0, 0])
    expect(exponential({ base: 0, attempts: 3 }).delays).toEqual([0, 0])
    expect(exponential({ attempts: 1 }).delays).toEqual([])
    expect(exponential({ base: 1, factor: 1, attempts: 1000 }).delays).toHaveLength(999)
    expect(exponential({ jitter: 1 }).jitter).toBe(1)
  })

  it('refuses options out of range, naming the option and the range', () => {
    expect(misuse(() => exponential(null as never))).toMatch(/`exponential\(options\)`/)
    for (const base of [-1, Number.NaN, Infinity, '1']) {
      expect(misuse(() => exponential({ base: base as never }))).toMatch(
        /^Invalid option `exponential\(\{ base \}\)`: expected milliseconds >= 0/,
      )
    }
    for (const factor of [0.99, 0, Number.NaN, Infinity, '2']) {
      expect(misuse(() => exponential({ factor: factor as never }))).toMatch(
        /^Invalid option `exponential\(\{ factor \}\)`: expected a number >= 1/,
      )
    }
    for (const max of [-1, Number.NaN, '5']) {
      expect(misuse(() => exponential({ max: max as never }))).toMatch(
        /^Invalid option `exponential\(\{ max \}\)`: expected milliseconds >= 0/,
      )
    }
    for (const jitter of [-0.01, 1.01, Number.NaN, '0.1']) {
      expect(misuse(() => exponential({ jitter: jitter as never }))).toMatch(
        /^Invalid option `exponential\(\{ jitter \}\)`: expected a fraction from 0 to 1/,
      )
    }
    for (const attempts of [0, 1001, 2.5, '3']) {
      expect(misuse(() => exponential({ attempts: attempts as never }))).toMatch(
        /^Invalid option `exponential\(\{ attempts \}\)`: expected a whole number from 1 to 1000/,
      )
    }
  })
})

describe('checkPolicy (a policy given by a user)', () => {
  it('returns a well-formed policy as it is', () => {
    const custom = { name: 'mine', delays: [0, 2 ** 31 - 1], jitter: 1, source: 'custom' }
    expect(checkPolicy(custom)).toBe(custom)
    // jitter and retryHeaders may be left out.
    const bare = { delays: [5] }
    expect(checkPolicy(bare)).toBe(bare)
    const withHeaders = { delays: [], retryHeaders: () => ({}) }
    expect(checkPolicy(withHeaders)).toBe(withHeaders)
  })

  it('refuses anything else, naming the option and the element', () => {
    for (const bad of [null, 'stripe', { delays: 'x' }, {}]) {
      expect(misuse(() => checkPolicy(bad))).toMatch(
        /^Invalid option `retry`: expected a retry policy such as retryPolicies\.standardWebhooks/,
      )
    }
    expect(misuse(() => checkPolicy(null, 'options.retry'))).toMatch(/`options\.retry`/)
    for (const delay of [-1, 2 ** 31, Number.NaN, Infinity, '5']) {
      expect(misuse(() => checkPolicy({ delays: [0, delay] }))).toMatch(
        /^Invalid option `retry\.delays\[1\]`: expected milliseconds between 0 and 2147483647/,
      )
    }
    for (const jitter of [-1, 2, '0']) {
      expect(misuse(() => checkPolicy({ delays: [], jitter }))).toMatch(/`retry\.jitter`/)
    }
    expect(misuse(() => checkPolicy({ delays: [], retryHeaders: {} }))).toMatch(
      /^Invalid option `retry\.retryHeaders`: expected a function \(context\) => headers/,
    )
  })
})
