import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkReceiver,
  createReceiver,
  getScheme,
  HookwrightError,
  schemeNames,
  type Receiver,
} from '../../src/index.js'
import { startBuggyReceiver } from '../apps/buggy-receiver.js'
import { startCorrectReceiver, type RunningApp } from '../apps/correct-receiver.js'

const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { amount: 1200 } }
const secrets = {
  stripe: 'whsec_test_secret_for_check',
  standardWebhooks: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
} as const
const schemes = ['stripe', 'standardWebhooks'] as const

const apps: RunningApp[] = []
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
})

describe.each(schemes)('checkReceiver against real express apps (%s)', (scheme) => {
  const secret = secrets[scheme]

  it('finds nothing wrong with the correct receiver', async () => {
    const app = await startCorrectReceiver({ scheme, secret })
    apps.push(app)
    const report = await checkReceiver(app.url, {
      scheme,
      secret,
      payload,
      processedCount: app.processed,
    })
    expect(report.summary).toMatch(/all \d+ cases answered as expected/)
    expect(report.ok).toBe(true)
    expect(report.wronglyAccepted).toEqual([])
    expect(report.wronglyRejected).toEqual([])
    const replay = report.results.find((r) => r.name === 'replayed-message-id')!
    expect(replay).toMatchObject({
      status: 200,
      verdict: 'ok',
      note: expect.stringMatching(/duplicate/),
    })
    expect(report.results.find((r) => r.name === 'tampered-body')).toMatchObject({ status: 400 })
  })

  it('names each bug of the buggy receiver by its case', async () => {
    const app = await startBuggyReceiver({ scheme, secret })
    apps.push(app)
    const report = await checkReceiver(app.url, {
      scheme,
      secret,
      payload,
      processedCount: app.processed,
    })
    expect(report.ok).toBe(false)
    const accepted = report.wronglyAccepted.map((r) => r.name)
    // JSON.stringify instead of the raw body:
    expect(accepted).toContain('json-whitespace-changed')
    expect(report.wronglyRejected.map((r) => [r.name, r.status])).toEqual([
      ['valid-pretty-json', 401],
    ])
    // No timestamp check:
    expect(accepted).toContain('timestamp-too-old')
    if (scheme === 'standardWebhooks') expect(accepted).toContain('timestamp-in-future')
    // No replay protection:
    expect(accepted).toContain('replayed-message-id')
    expect(report.wronglyAccepted.find((r) => r.name === 'replayed-message-id')!.note).toMatch(
      /2 deliveries were processed for 2 sends/,
    )
    // No idempotency at all: concurrent copies and a re-signed retry are processed again too.
    expect(accepted.sort()).toEqual(
      [
        'concurrent-duplicates',
        'json-whitespace-changed',
        'replayed-message-id',
        'retried-with-new-signature',
        'timestamp-too-old',
        ...(scheme === 'standardWebhooks' ? ['timestamp-in-future'] : []),
      ].sort(),
    )
    expect(report.summary).toContain(
      '✗ json-whitespace-changed: wrongly accepted (expected reject, got 200)',
    )
    expect(report.summary).toContain(
      '✗ valid-pretty-json: wrongly rejected (expected accept, got 401)',
    )
  })
})

describe('checkReceiver: judging without help, and failure modes', () => {
  let receiver: Receiver
  beforeAll(async () => {
    receiver = await createReceiver()
  })
  afterAll(async () => {
    await receiver.close()
  })

  it.each(schemeNames)(
    '%s: a verifying hookwright endpoint refuses every bad case (it keeps no replay memory)',
    async (name) => {
      const { signSecret, verifySecret } = getScheme(name).generateSecret()
      const ep = receiver.endpoint({ verify: { scheme: name, secret: verifySecret } })
      // Flat, so that form-encoding schemes (Twilio) can send it too.
      const flat = { id: 'evt_1', type: 'invoice.paid', amount: 1200 }
      const report = await checkReceiver(ep.url, {
        scheme: name,
        secret: signSecret,
        payload: flat,
        only: ['signature', 'replayed-message-id'],
      })
      expect(report.wronglyRejected).toEqual([])
      expect(report.noAnswer).toEqual([])
      const hasReplay = report.results.some((r) => r.name === 'replayed-message-id')
      expect(report.wronglyAccepted.map((r) => r.name)).toEqual(
        hasReplay ? ['replayed-message-id'] : [],
      )
      expect(
        report.results
          .filter((r) => r.expect === 'reject' && r.name !== 'replayed-message-id')
          .every((r) => r.status === 401),
      ).toBe(true)
    },
  )

  it('judges a 2xx replay as wrongly accepted when it cannot count what was processed', async () => {
    const secret = secrets.stripe
    const app = await startCorrectReceiver({ scheme: 'stripe', secret })
    apps.push(app)
    const report = await checkReceiver(app.url, { scheme: 'stripe', secret, payload })
    // The same for concurrent copies: five 2xx answers cannot say whether one was processed.
    expect(report.wronglyAccepted.map((r) => r.name)).toEqual([
      'replayed-message-id',
      'concurrent-duplicates',
    ])
    for (const r of report.wronglyAccepted) expect(r.note).toMatch(/pass `processedCount`/)
  })

  it('reports a receiver that accepts everything, and notes 5xx rejections', async () => {
    const everything = receiver.endpoint({ respond: 200 })
    const only = ['signature', 'replayed-message-id']
    const report = await checkReceiver(everything.url, {
      scheme: 'github',
      secret: 's',
      payload,
      only,
    })
    const rejects = report.results.filter((r) => r.expect === 'reject').map((r) => r.name)
    expect(report.wronglyAccepted.map((r) => r.name)).toEqual(rejects)
    expect(report.wronglyRejected).toEqual([])
    // Every case reached the endpoint, the replay twice.
    expect(everything.deliveries).toHaveLength(report.results.length + 1)

    const crashing = receiver.endpoint({ respond: [200, 500] })
    const crashed = await checkReceiver(crashing.url, {
      scheme: 'shopify',
      secret: 's',
      payload,
      only,
    })
    expect(crashed.wronglyRejected.map((r) => r.name)).toEqual([
      'replayed-message-id',
      'valid-pretty-json',
    ])
    expect(crashed.results.find((r) => r.name === 'tampered-body')!.note).toMatch(/5xx/)
    const replay = crashed.results.find((r) => r.name === 'replayed-message-id')!
    expect(replay.verdict).toBe('wrongly-rejected')
    expect(replay.note).toMatch(/first, valid, delivery was not accepted/)
  })

  it('reports cases that got no answer (a token scheme given as a value)', async () => {
    const hanging = receiver.endpoint({
      respond: 'hang',
      verify: { scheme: 'gitlab', secret: 'tok' },
    })
    const report = await checkReceiver(hanging.url, {
      scheme: getScheme('gitlab'),
      secret: 'tok',
      payload,
      timeoutMs: 1000, // long enough for the 401s on a busy machine; only the valid case hangs
      only: ['signature'],
    })
    // The endpoint refuses bad tokens with 401 and hangs on the valid one.
    expect(report.noAnswer.map((r) => [r.name, r.error?.code])).toEqual([['valid', 'timeout']])
    expect(report.ok).toBe(false)
    expect(report.summary).toContain('no answer (timeout)')
  })

  it('throws on misuse, naming the option', async () => {
    await expect(checkReceiver('nope', { scheme: 'stripe', secret: 's', payload })).rejects.toThrow(
      /checkReceiver\(target\)/,
    )
    await expect(
      checkReceiver('http://127.0.0.1:9/', {
        scheme: 'stripe',
        secret: 's',
        payload,
        bogus: 1,
      } as never),
    ).rejects.toThrow(/checkReceiver\(\{ bogus \}\)/)
    await expect(
      checkReceiver('http://127.0.0.1:9/', { scheme: 'nope' as never, secret: 's', payload }),
    ).rejects.toBeInstanceOf(HookwrightError)
    await expect(
      checkReceiver('http://127.0.0.1:9/', {
        scheme: 'stripe',
        secret: 's',
        payload,
        processedCount: 3 as never,
      }),
    ).rejects.toThrow(/`processedCount`/)
  })
})
