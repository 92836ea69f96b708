// simulateProvider: a provider's retries on a virtual clock, against receivers that fail first.
import { describe, expect, it } from 'vitest'
import {
  createReceiver,
  exponential,
  getScheme,
  HookwrightError,
  retryPolicies,
  simulateProvider,
} from '../../src/index.js'
import { correctApp } from '../apps/correct-receiver.js'
import { fetchReceiver } from '../apps/fetch-receiver.js'

const secret = 'whsec_test_secret_for_simulation'
const payload = { id: 'evt_sim', object: 'event', type: 'invoice.paid', data: { object: {} } }

describe('simulateProvider', () => {
  it("follows Stripe's schedule with no real waiting; a handler failing twice processes once", async () => {
    const app = fetchReceiver({ scheme: 'stripe', secret, failFirst: 2 })
    const started = Date.now()
    const sim = await simulateProvider(app.fetch, {
      scheme: 'stripe',
      secret,
      payload,
      retry: retryPolicies.stripe,
      processedCount: app.processed,
    })
    expect(sim).toMatchObject({ ok: true, final: 'delivered', policy: 'stripe', processed: 1 })
    expect(sim.attempts.map((a) => [a.attempt, a.atMs, a.delayBeforeMs, a.status])).toEqual([
      [1, 0, 0, 500],
      [2, 300_000, 300_000, 500],
      [3, 2_100_000, 1_800_000, 200],
    ])
    // Each attempt signed afresh: later timestamps, all within Stripe's tolerance of now.
    const signed = sim.attempts.map((a) => a.signedAt)
    expect(signed[1]!).toBeGreaterThan(signed[0]!)
    expect(signed[2]!).toBeGreaterThan(signed[1]!)
    expect(Math.abs(signed[2]! - Math.floor(started / 1000))).toBeLessThan(60)
    expect(sim.summary).toContain('delivered after 3 attempt(s), processed once')
    expect(sim.summary).toContain('#3 at +35 min: 200')
  })

  it('catches the handler that does its work, then fails the attempt: processed three times', async () => {
    const app = fetchReceiver({
      scheme: 'stripe',
      secret,
      failFirst: 2,
      bugs: ['side-effect-before-failure'],
    })
    const sim = await simulateProvider(app.fetch, {
      scheme: 'stripe',
      secret,
      payload,
      retry: retryPolicies.stripe,
      processedCount: app.processed,
    })
    expect(sim.ok).toBe(true)
    expect(sim.processed).toBe(3)
    expect(sim.summary).toContain('processed 3 times')
  })

  it('gives up where the policy does, and sends the same message id on every attempt', async () => {
    const receiver = await createReceiver()
    try {
      const ep = receiver.endpoint({ respond: 503 })
      const sim = await simulateProvider(ep.url, {
        scheme: 'standardWebhooks',
        secret: getScheme('standardWebhooks').generateSecret().signSecret,
        payload,
        retry: retryPolicies.slack,
      })
      expect(sim).toMatchObject({ ok: false, final: 'exhausted' })
      expect(sim.attempts.map((a) => a.atMs)).toEqual([0, 0, 60_000, 360_000])
      const ids = new Set(ep.deliveries.map((d) => d.headers['webhook-id']))
      expect([...ids]).toEqual([sim.id])
      const signatures = new Set(ep.deliveries.map((d) => d.headers['webhook-signature']))
      expect(signatures.size).toBe(4)
      // Slack's retry headers ride along.
      expect(ep.deliveries[1]!.headers['x-slack-retry-num']).toBe('1')
    } finally {
      await receiver.close()
    }
  })

  it("uses the scheme's provider policy by default, and serves an express app for the run", async () => {
    const app = correctApp({ scheme: 'stripe', secret })
    const sim = await simulateProvider(app.app, {
      scheme: 'stripe',
      secret,
      payload,
      path: '/webhooks',
      processedCount: app.processed,
    })
    expect(sim, sim.summary).toMatchObject({ ok: true, policy: 'stripe', processed: 1 })
    expect(sim.attempts).toHaveLength(1)
    const custom = await simulateProvider(
      fetchReceiver({ scheme: 'stripe', secret, failFirst: 9 }).fetch,
      {
        scheme: 'stripe',
        secret,
        payload,
        retry: exponential({ base: 1000, attempts: 3 }),
      },
    )
    expect(custom.attempts.map((a) => a.atMs)).toEqual([0, 1000, 3000])
    expect(custom.final).toBe('exhausted')
  })

  it('throws on misuse, naming the option', async () => {
    const app = fetchReceiver({ scheme: 'stripe', secret })
    await expect(
      simulateProvider(app.fetch, { scheme: 'stripe', secret: '', payload }),
    ).rejects.toBeInstanceOf(HookwrightError)
    await expect(
      simulateProvider(app.fetch, { scheme: 'stripe', secret, payload, bogus: 1 } as never),
    ).rejects.toThrow(/simulateProvider\(\{ bogus \}\)/)
    await expect(
      simulateProvider(app.fetch, { scheme: 'stripe', secret, payload, retry: {} as never }),
    ).rejects.toThrow(/`retry`/)
  })
})
