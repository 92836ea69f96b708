import { describe, expect, it } from 'vitest'
import { limitsFor } from '../../src/attacks/limits.js'
import { badDeliveries, defaultLimits, providerLimits } from '../../src/index.js'

/**
 * The documented answer timeouts and body caps `checkReceiver` and `oversized-body` use: each
 * figure, where it comes from, and the defaults for providers that publish none.
 */
describe('providerLimits', () => {
  it('the documented figures, each with its source', () => {
    expect(
      Object.fromEntries(
        Object.entries(providerLimits).map(([k, v]) => [k, [v.timeoutMs, v.maxBodyBytes]]),
      ),
    ).toEqual({
      github: [10_000, 25 * 1024 * 1024],
      shopify: [5_000, undefined],
      slack: [3_000, undefined],
      stripe: [10_000, undefined],
      standardWebhooks: [15_000, undefined],
    })
    for (const [name, limits] of Object.entries(providerLimits)) {
      expect(limits.name).toBe(name)
      expect(limits.timeoutSource).toMatch(/^https:\/\//)
      if (limits.maxBodyBytes !== undefined) expect(limits.maxBodySource).toMatch(/^https:\/\//)
      expect(Object.isFrozen(limits)).toBe(true)
    }
    expect(providerLimits.stripe!.timeoutSource).toContain('10 s assumed')
    expect(Object.isFrozen(providerLimits)).toBe(true)
  })

  it('the defaults: 10 s and 1 MiB, saying they are assumed', () => {
    expect(defaultLimits).toEqual({
      timeoutMs: 10_000,
      timeoutSource: 'no documented timeout for this scheme; 10 s assumed',
      maxBodyBytes: 1024 * 1024,
      maxBodySource: 'no documented maximum for this scheme; 1 MiB assumed',
    })
    expect(Object.isFrozen(defaultLimits)).toBe(true)
  })
})

describe('limitsFor', () => {
  it("a provider's own figures, with the defaults where it documents none", () => {
    expect(limitsFor('github')).toEqual({ name: 'github', ...providerLimits.github })
    expect(limitsFor('slack')).toEqual({
      name: 'slack',
      timeoutMs: 3_000,
      timeoutSource: providerLimits.slack!.timeoutSource,
      maxBodyBytes: 1024 * 1024,
      maxBodySource: defaultLimits.maxBodySource,
    })
  })

  it('a scheme no one documents: the defaults, under its own name', () => {
    expect(limitsFor('zoom')).toEqual({ name: 'zoom', ...defaultLimits })
    // Only the table's own entries count, not what every object inherits.
    expect(limitsFor('toString')).toEqual({ name: 'toString', ...defaultLimits })
  })

  it("sets oversized-body one byte past the provider's cap", () => {
    const size = (scheme: 'github' | 'slack') => {
      const c = badDeliveries(scheme, { payload: 'x', secret: 's' }).find(
        (c) => c.name === 'oversized-body',
      )!
      return Buffer.byteLength(c.body as string)
    }
    expect(size('slack')).toBe(1024 * 1024 + 1)
    expect(size('github')).toBe(25 * 1024 * 1024 + 1)
  })
})
