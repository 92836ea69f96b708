// The receiver pattern beyond signatures: every conformance case against the correct apps
// (in-process and over HTTP) and against apps with one classic bug each.
import { afterAll, describe, expect, it } from 'vitest'
import { checkReceiver, HookwrightError, retryPolicies } from '../../src/index.js'
import { startBuggyReceiver } from '../apps/buggy-receiver.js'
import { correctApp, startCorrectReceiver } from '../apps/correct-receiver.js'
import { fetchReceiver, type ReceiverBug } from '../apps/fetch-receiver.js'
import { serveFetch } from '../apps/serve-fetch.js'

const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { amount: 1200 } }
const secrets = {
  stripe: 'whsec_test_secret_for_conformance',
  standardWebhooks: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
} as const
const schemes = ['stripe', 'standardWebhooks'] as const

const open: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(open.map((a) => a.close()))
})

const everyCase = [
  'concurrent-duplicates',
  'retried-with-new-signature',
  'out-of-order',
  'answer-time',
  'oversized-body',
  'alive-after-garbage',
]

describe.each(schemes)('the correct apps pass every case (%s)', (scheme) => {
  const secret = secrets[scheme]

  it('an express app, served by checkReceiver for the run', async () => {
    const app = correctApp({ scheme, secret })
    const report = await checkReceiver(app.app, {
      scheme,
      secret,
      payload,
      path: '/webhooks',
      processedCount: app.processed,
      stateOf: app.state,
    })
    expect(report.target).toBe('listener')
    expect(report.failed).toEqual([])
    expect(report.warnings).toEqual([])
    expect(report.results.map((r) => r.name)).toEqual(expect.arrayContaining(everyCase))
    expect(report.results.find((r) => r.name === 'oversized-body')!.status).toBe(413)
    expect(report.results.find((r) => r.name === 'out-of-order')!.note).toMatch(/newer event's/)
  })

  it('a second run against the same app and store passes too (its event ids are new)', async () => {
    const app = correctApp({ scheme, secret })
    const options = {
      scheme,
      secret,
      payload,
      path: '/webhooks',
      processedCount: app.processed,
      stateOf: app.state,
    }
    const first = await checkReceiver(app.app, options)
    const second = await checkReceiver(app.app, options)
    expect(first.failed).toEqual([])
    expect(second.failed).toEqual([])
    expect(second.warnings).toEqual([])
  })

  it('the same express app over HTTP', async () => {
    const app = await startCorrectReceiver({ scheme, secret })
    open.push(app)
    const report = await checkReceiver(app.url, {
      scheme,
      secret,
      payload,
      processedCount: app.processed,
      stateOf: app.state,
    })
    expect(report.target).toBe('url')
    expect(report.failed).toEqual([])
    expect(report.results.map((r) => r.name)).toEqual(expect.arrayContaining(everyCase))
  })

  it('a fetch handler, in-process and over HTTP', async () => {
    const app = fetchReceiver({ scheme, secret })
    const inProcess = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      processedCount: app.processed,
      stateOf: app.state,
    })
    expect(inProcess.target).toBe('fetch')
    expect(inProcess.failed).toEqual([])
    // A fresh app: the first one remembers the ids of the payload's cases.
    const other = fetchReceiver({ scheme, secret })
    const served = await serveFetch(other.fetch)
    open.push(served)
    const overHttp = await checkReceiver(served.url, {
      scheme,
      secret,
      payload,
      processedCount: other.processed,
      stateOf: other.state,
    })
    expect(overHttp.failed).toEqual([])
    expect(overHttp.results.map((r) => r.name)).toEqual(inProcess.results.map((r) => r.name))
  })
})

describe('each case catches its bug', () => {
  const scheme = 'stripe'
  const secret = secrets.stripe
  const check = (bugs: ReceiverBug[], extra: Parameters<typeof checkReceiver>[1] | object = {}) => {
    const app = fetchReceiver({ scheme, secret, bugs })
    return checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      processedCount: app.processed,
      stateOf: app.state,
      ...extra,
    })
  }
  const failing = (r: Awaited<ReturnType<typeof checkReceiver>>) =>
    r.failed.map((f) => [f.name, f.verdict])

  it('concurrent-duplicates: an await between "seen?" and "insert" (on every run)', async () => {
    for (let run = 0; run < 3; run++) {
      const report = await check(['racy-dedupe'], { only: ['idempotency'] })
      expect(failing(report)).toEqual([['concurrent-duplicates', 'wrongly-accepted']])
      expect(report.failed[0]!.note).toMatch(/Processed 5 times for 5 copies/)
    }
  })

  it('concurrent-duplicates also catches the express app with no dedupe at all', async () => {
    const app = await startBuggyReceiver({ scheme, secret })
    open.push(app)
    const report = await checkReceiver(app.url, {
      scheme,
      secret,
      payload,
      processedCount: app.processed,
      only: ['concurrent-duplicates', 'retried-with-new-signature'],
    })
    expect(failing(report)).toEqual([
      ['retried-with-new-signature', 'wrongly-accepted'],
      ['concurrent-duplicates', 'wrongly-accepted'],
    ])
  })

  it('retried-with-new-signature: duplicates recognised by signature instead of id', async () => {
    const report = await check(['dedupe-by-signature'])
    expect(failing(report)).toEqual([['retried-with-new-signature', 'wrongly-accepted']])
    expect(report.failed[0]!.note).toMatch(/Processed 2 times/)
  })

  it('out-of-order: the last event to arrive wins, checked through stateOf', async () => {
    const report = await check(['last-write-wins'])
    expect(failing(report)).toEqual([['out-of-order', 'wrong-state']])
    expect(report.failed[0]!.note).toMatch(/older event's .*email/)
  })

  it('out-of-order: a pair given as fixture names or as payloads', async () => {
    const named = await check(['last-write-wins'], {
      only: ['out-of-order'],
      pair: ['stripe/customer.created', 'stripe/customer.updated'],
    })
    expect(failing(named)).toEqual([['out-of-order', 'wrong-state']])
    const older = {
      id: 'evt_o',
      object: 'event',
      type: 'customer.created',
      created: 100,
      data: { object: { id: 'cus_1', object: 'customer', plan: 'free' } },
    }
    const newer = {
      ...older,
      id: 'evt_n',
      type: 'customer.updated',
      created: 200,
      data: { object: { id: 'cus_1', object: 'customer', plan: 'pro' } },
    }
    const app = fetchReceiver({ scheme, secret })
    const given = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      only: ['out-of-order'],
      pair: { older, newer },
      stateOf: app.state,
    })
    expect(given.failed).toEqual([])
    expect(app.state('cus_1')).toMatchObject({ plan: 'pro' })
    await expect(
      checkReceiver(app.fetch, {
        scheme,
        secret,
        payload,
        only: ['out-of-order'],
        pair: ['one'] as never,
      }),
    ).rejects.toThrow(/`pair`/)
  })

  it('out-of-order: a 500 that the retry policy resolves is a warning with the schedule', async () => {
    const report = await check(['update-before-create-500'], { only: ['out-of-order'] })
    expect(report.ok).toBe(true)
    expect(report.warnings.map((w) => w.name)).toEqual(['out-of-order'])
    expect(report.warnings[0]!.warning).toMatch(
      /newer event got 500 .*stripe retries \(5 min, 30 min/,
    )
    expect(report.warnings[0]!.warning).toMatch(/200 after 5 min/)
    expect(report.summary).toContain('! out-of-order:')
    // GitHub-style: no retries, so the same 500 is a failure.
    const none = await check(['update-before-create-500'], {
      only: ['out-of-order'],
      retry: retryPolicies.none,
    })
    expect(failing(none)).toEqual([['out-of-order', 'wrongly-rejected']])
  })

  it('answer-time: the work done before the answer (1.5 s against a 1 s limit)', async () => {
    const report = await check(['work-before-answer'], {
      only: ['answer-time'],
      answerTimeLimitMs: 1000,
    })
    expect(failing(report)).toEqual([['answer-time', 'too-slow']])
    const timing = report.failed[0]!.timing!
    expect(timing).toMatchObject({ count: 20, limitMs: 1000, source: 'answerTimeLimitMs' })
    expect(timing.maxMs).toBeGreaterThanOrEqual(1500)
    console.log(`answer-time, slow app: p50 ${timing.p50Ms} ms, max ${timing.maxMs} ms`)
  })

  it('answer-time: the correct app, and the cited provider limit by default', async () => {
    const report = await check([], { only: ['answer-time'] })
    expect(report.failed).toEqual([])
    const timing = report.results[0]!.timing!
    expect(timing.limitMs).toBe(10_000)
    expect(timing.source).toMatch(/docs\.stripe\.com/)
    expect(report.summary).toMatch(/answer-time: p50 \d+ ms, max \d+ ms \(limit 10000 ms\)/)
    console.log(`answer-time, correct app: p50 ${timing.p50Ms} ms, max ${timing.maxMs} ms`)
  })

  it('oversized-body: a body read whole whatever its size', async () => {
    const report = await check(['no-body-limit'])
    expect(failing(report)).toEqual([['oversized-body', 'wrongly-accepted']])
  })

  it('alive-after-garbage: a worker that dies on a body that is not JSON', async () => {
    const report = await check(['dies-after-garbage'])
    expect(failing(report)).toEqual([['alive-after-garbage', 'wrongly-rejected']])
    expect(report.failed[0]!.note).toMatch(/a valid delivery got 503/)
  })
})

describe('selection and misuse', () => {
  const secret = secrets.stripe
  const app = fetchReceiver({ scheme: 'stripe', secret })

  it('only and skip take case names and group names', async () => {
    const only = await checkReceiver(app.fetch, {
      scheme: 'stripe',
      secret,
      payload,
      only: ['idempotency', 'valid'],
      processedCount: app.processed,
    })
    expect(only.results.map((r) => [r.name, r.group])).toEqual([
      ['valid', 'signature'],
      ['replayed-message-id', 'idempotency'],
      ['retried-with-new-signature', 'idempotency'],
      ['concurrent-duplicates', 'idempotency'],
    ])
    const skip = await checkReceiver(app.fetch, {
      scheme: 'stripe',
      secret,
      payload,
      skip: ['signature', 'idempotency', 'answer-time'],
      processedCount: app.processed,
    })
    expect(skip.results.map((r) => r.name)).toEqual([
      'oversized-body',
      'out-of-order',
      'alive-after-garbage',
    ])
  })

  it('out-of-order is skipped, with the reason, where the scheme has no fixture pair', async () => {
    const report = await checkReceiver('http://127.0.0.1:9/', {
      scheme: 'github',
      secret: 's',
      payload,
      only: ['out-of-order'],
    })
    expect(report.results).toEqual([])
    expect(report.skipped).toEqual([
      { name: 'out-of-order', reason: expect.stringMatching(/no event pair for github/) },
    ])
  })

  it('throws on misuse, naming the option', async () => {
    const base = { scheme: 'stripe' as const, secret, payload }
    await expect(checkReceiver(app.fetch, { ...base, only: ['nope'] })).rejects.toThrow(
      /`only`.*signature, idempotency, timing, robustness/s,
    )
    await expect(checkReceiver(app.fetch, { ...base, concurrency: 1 })).rejects.toThrow(
      /`concurrency`/,
    )
    await expect(checkReceiver(42 as never, base)).rejects.toBeInstanceOf(HookwrightError)
    await expect(checkReceiver(app.fetch, { ...base, path: 'webhooks' })).rejects.toThrow(/`path`/)
  })
})
