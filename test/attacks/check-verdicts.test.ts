// How checkReceiver judges each answer: which verdict, which note, which status, for receivers
// that refuse duplicates, are down, hang, count nothing, or answer 3xx. The receivers are fetch
// handlers called in-process: the correct app of test/apps, wrapped to add one behaviour.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { checkReceiver, retryPolicies } from '../../src/index.js'
import { fetchReceiver, type FetchReceiver } from '../apps/fetch-receiver.js'
import { byName, hang, onDuplicate, type Handler } from './check-handlers.js'

const scheme = 'stripe'
const secret = 'whsec_test_secret_for_verdicts'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { amount: 1200 } }

/** The correct app, but a duplicate is answered 409 Conflict instead of 200. */
const conflictOnDuplicate = (app: FetchReceiver) =>
  onDuplicate(app, async () => new Response('duplicate', { status: 409 }))

/** The statuses listed in a note's `(answers: …)`, sorted. */
const answersIn = (note: string | undefined) =>
  /answers: ([^)]*?)\)/
    .exec(note ?? '')?.[1]
    ?.split(', ')
    .sort()

describe('checkReceiver verdicts: idempotency', () => {
  it('a receiver that answers 409 to a duplicate passes the replay but fails the re-signed retry', async () => {
    const app = fetchReceiver({ scheme, secret })
    const report = await checkReceiver(conflictOnDuplicate(app), {
      scheme,
      secret,
      payload,
      only: ['idempotency'],
      processedCount: app.processed,
    })
    const r = byName(report.results)
    // A replay may be refused: the provider never sends one.
    expect(r['replayed-message-id']).toMatchObject({ verdict: 'ok', status: 409 })
    // A retry must be answered 2xx, or the provider keeps sending it.
    expect(r['retried-with-new-signature']).toMatchObject({
      verdict: 'wrongly-rejected',
      status: 409,
      note: 'The retry was refused: a provider retries a refused delivery again, until it gives up.',
    })
    // Five copies at once: one processed, the other four refused as duplicates.
    const concurrent = r['concurrent-duplicates']!
    expect(concurrent.verdict).toBe('ok')
    expect(concurrent.note).toMatch(/^Processed once for 5 copies \(answers: .*\)\.$/)
    expect(answersIn(concurrent.note)).toEqual(['200', '409', '409', '409', '409'])
    expect(report.ok).toBe(false)
    expect(report.failed.map((f) => f.name)).toEqual(['retried-with-new-signature'])
    expect(report.wronglyRejected.map((f) => f.name)).toEqual(['retried-with-new-signature'])
    expect(report.summary).toContain(
      '✗ retried-with-new-signature: wrongly rejected (expected accept, got 409). ',
    )
  })

  it('without processedCount: one 2xx copy passes, and a 2xx retry passes with a hint', async () => {
    const app = fetchReceiver({ scheme, secret })
    const conflicts = await checkReceiver(conflictOnDuplicate(app), {
      scheme,
      secret,
      payload,
      only: ['concurrent-duplicates'],
    })
    const concurrent = conflicts.results[0]!
    expect(concurrent.verdict).toBe('ok')
    expect(concurrent.note).toMatch(/^One copy accepted \(answers: .*\)\.$/)
    expect(answersIn(concurrent.note)).toEqual(['200', '409', '409', '409', '409'])

    const correct = fetchReceiver({ scheme, secret })
    const retried = await checkReceiver(correct.fetch, {
      scheme,
      secret,
      payload,
      only: ['retried-with-new-signature'],
    })
    expect(retried.results).toEqual([
      expect.objectContaining({
        name: 'retried-with-new-signature',
        verdict: 'ok',
        status: 200,
        note: 'Both answered 2xx; pass `processedCount` to check it was processed once.',
      }),
    ])
  })

  it('a replay and a retry accepted but never processed are wrongly rejected, not "processed"', async () => {
    // Answers 2xx to everything and processes nothing (or its counter never moves).
    const report = await checkReceiver(async () => new Response('ok'), {
      scheme,
      secret,
      payload,
      only: ['replayed-message-id', 'retried-with-new-signature'],
      processedCount: () => 0,
    })
    const note =
      'Both deliveries were answered 2xx, but processedCount did not move: the valid delivery was accepted and never processed.'
    expect(report.results.map((r) => [r.name, r.verdict, r.status, r.note])).toEqual([
      ['replayed-message-id', 'wrongly-rejected', 200, note],
      ['retried-with-new-signature', 'wrongly-rejected', 200, note],
    ])
  })

  it('copies accepted but never processed (a counter that stays at 0) are wrongly rejected', async () => {
    const app = fetchReceiver({ scheme, secret })
    const report = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      only: ['concurrent-duplicates'],
      concurrency: 3,
      processedCount: () => 0,
    })
    expect(report.results[0]).toMatchObject({
      verdict: 'wrongly-rejected',
      note: expect.stringMatching(
        /^Processed 0 times for 3 copies sent at once \(answers: .*\): a copy was accepted but none was processed\.$/,
      ),
    })
  })

  it('a replay processed twice, counted through an async processedCount', async () => {
    let processed = 0
    const count: Handler = async () => {
      processed++
      return new Response('ok')
    }
    const report = await checkReceiver(count, {
      scheme,
      secret,
      payload,
      only: ['replayed-message-id', 'retried-with-new-signature'],
      processedCount: async () => processed,
    })
    expect(report.results.map((r) => [r.name, r.verdict, r.note])).toEqual([
      [
        'replayed-message-id',
        'wrongly-accepted',
        'The replay was processed: 2 deliveries were processed for 2 sends.',
      ],
      [
        'retried-with-new-signature',
        'wrongly-accepted',
        'Processed 2 times for one message delivered twice: deduplicate by the message id, not by the signature or the body.',
      ],
    ])
  })

  it('a duplicate that gets no answer is no-answer, not a pass', async () => {
    const app = fetchReceiver({ scheme, secret })
    const refuse = conflictOnDuplicate(app)
    const report = await checkReceiver(
      async (request: Request) => {
        const res = await refuse(request)
        return res.status === 409 ? hang(request) : res
      },
      { scheme, secret, payload, only: ['replayed-message-id'], timeoutMs: 300 },
    )
    expect(report.results).toHaveLength(1)
    expect(report.results[0]).toMatchObject({ verdict: 'no-answer', error: { code: 'timeout' } })
    expect(report.results[0]!.status).toBeUndefined()
    expect(report.noAnswer.map((r) => r.name)).toEqual(['replayed-message-id'])
  })
})

describe('checkReceiver verdicts: a receiver that is down or hangs', () => {
  it('answers 503 to everything: every accept case is wrongly rejected, each with its reason', async () => {
    const down: Handler = async () => new Response('maintenance', { status: 503 })
    const report = await checkReceiver(down, { scheme, secret, payload })
    expect(report).toMatchObject({ ok: false, url: 'http://127.0.0.1/', target: 'fetch' })
    expect(report.scheme).toBe('stripe')
    expect(report.wronglyAccepted).toEqual([])
    expect(report.noAnswer).toEqual([])
    expect(report.failed).toEqual(report.wronglyRejected)
    for (const r of report.results) {
      expect(r.status).toBe(503)
      if (r.expect === 'reject' && r.group === 'signature') {
        expect([r.name, r.verdict, r.note]).toEqual([
          r.name,
          'ok',
          'Rejected with a 5xx: a real sender treats that as an outage and retries it.',
        ])
      }
    }
    const r = byName(report.results)
    const judge = (name: string) => [r[name]?.verdict, r[name]?.note]
    expect(judge('valid')).toEqual(['wrongly-rejected', undefined])
    expect(judge('replayed-message-id')).toEqual([
      'wrongly-rejected',
      'The first, valid, delivery was not accepted, so the case could not be judged.',
    ])
    expect(judge('retried-with-new-signature')).toEqual([
      'wrongly-rejected',
      'The first, valid, delivery was not accepted, so the case could not be judged.',
    ])
    // Refusing the oversized body is right, but the receiver must take the next delivery.
    expect(judge('oversized-body')).toEqual([
      'wrongly-rejected',
      'The oversized body got 503, but then a valid delivery got 503.',
    ])
    expect(judge('concurrent-duplicates')).toEqual([
      'wrongly-rejected',
      'No copy was accepted (answers: 503, 503, 503, 503, 503).',
    ])
    // Stripe retries for three days; every retry got 503 too.
    expect(judge('out-of-order')).toEqual([
      'wrongly-rejected',
      'The newer event got 503, then 503 after 5 min, then 503 after 35 min, then 503 after ' +
        '155 min, then 503 after 395 min, then 503 after 875 min, then 503 after 1835 min, then ' +
        '503 after 3275 min: stripe retries (5 min, 30 min, 2 h, 4 h, 8 h, 16 h, 24 h; ' +
        'https://docs.stripe.com/webhooks#automatic-retries) never got a 2xx.',
    ])
    expect(r['answer-time']).toMatchObject({ verdict: 'wrongly-rejected', status: 503 })
    expect(r['answer-time']!.note).toMatch(
      /^Not every delivery of the burst was accepted \(p50 \d+ ms, max \d+ ms for 20 at once; limit 10000 ms \(https:\/\/docs\.stripe\.com\/.*\)\)\.$/,
    )
    expect(judge('alive-after-garbage')).toEqual([
      'wrongly-rejected',
      'After garbage (answered 503, 503), a valid delivery got 503.',
    ])

    const lines = report.summary.split('\n')
    expect(lines[0]).toBe(
      `checkReceiver http://127.0.0.1/ (stripe): ${report.failed.length} of ${report.results.length} cases answered wrongly.`,
    )
    expect(lines).toContain(
      '  ✗ concurrent-duplicates: wrongly rejected (expected accept, got 503). ' +
        `${r['concurrent-duplicates']!.description} No copy was accepted (answers: 503, 503, 503, 503, 503).`,
    )
    expect(lines).toContain(
      `  ✗ valid: wrongly rejected (expected accept, got 503). ${r.valid!.description}`,
    )
    // The passes in one line; no answer-time figures line when answer-time failed.
    const passed = report.results.filter((x) => x.verdict === 'ok')
    expect(lines.at(-1)).toBe(`  ✓ ${passed.map((x) => `${x.name} 503`).join(', ')}`)
    expect(report.summary).not.toContain('⏱')
  })

  it('never answers: every case is no-answer (answer-time: too slow), and says so', async () => {
    const report = await checkReceiver(hang, {
      scheme,
      secret,
      payload,
      only: ['valid', 'concurrent-duplicates', 'answer-time', 'alive-after-garbage'],
      concurrency: 2,
      burst: 2,
      timeoutMs: 300,
    })
    const r = byName(report.results)
    for (const name of ['valid', 'concurrent-duplicates', 'alive-after-garbage']) {
      expect([name, r[name]!.verdict, r[name]!.error?.code]).toEqual([name, 'no-answer', 'timeout'])
    }
    expect(r['concurrent-duplicates']!.note).toBe(
      'answers: no answer (timeout), no answer (timeout).',
    )
    expect(r['alive-after-garbage']!.note).toBe(
      'After garbage (answered no answer (timeout), no answer (timeout)), a valid delivery got no answer (timeout).',
    )
    expect(r['answer-time']).toMatchObject({ verdict: 'too-slow', error: { code: 'timeout' } })
    expect(r['answer-time']!.note).toMatch(
      /^2 of 2 answers came after the limit \(p50 \d+ ms, max \d+ ms for 2 at once; limit 10000 ms \(.*\)\): answer 2xx first, then do the work\.$/,
    )
    expect(report.noAnswer.map((x) => x.name)).toEqual([
      'valid',
      'concurrent-duplicates',
      'alive-after-garbage',
    ])
    expect(report.summary).toContain(
      `  ✗ valid: no answer (got no answer (timeout)). ${r.valid!.description}`,
    )
    expect(report.summary).toContain('  ✗ answer-time: too slow (got no answer (timeout)).')
    expect(report.summary).not.toContain('✓')
  })

  it('out-of-order: no answer and no retries is no-answer, with "none" for the schedule', async () => {
    const report = await checkReceiver(hang, {
      scheme,
      secret,
      payload,
      only: ['out-of-order'],
      retry: retryPolicies.none,
      timeoutMs: 300,
    })
    expect(report.results[0]).toMatchObject({
      verdict: 'no-answer',
      error: { code: 'timeout' },
      note:
        'The newer event got no answer (timeout): none retries (none; ' +
        'https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries) never got a 2xx.',
    })
  })

  it('oversized-body: refused, then the next valid delivery gets no answer', async () => {
    const app = fetchReceiver({ scheme, secret })
    let refused = false
    const report = await checkReceiver(
      async (request: Request) => {
        if (refused) return hang(request)
        const res = await app.fetch(request)
        refused = res.status === 413
        return res
      },
      { scheme, secret, payload, only: ['oversized-body'], timeoutMs: 300 },
    )
    expect(report.results[0]).toMatchObject({
      verdict: 'no-answer',
      error: { code: 'timeout' },
      note: 'The oversized body got 413, but then a valid delivery got no answer (timeout).',
    })
  })
})

describe('checkReceiver verdicts: what counts as accepted', () => {
  it('any 2xx is an acceptance (299 too); a 3xx is not', async () => {
    const only = ['valid', 'tampered-body']
    const answer = (status: number) => async () => new Response(null, { status })
    const ok299 = await checkReceiver(answer(299), { scheme, secret, payload, only })
    expect(ok299.results.map((r) => [r.name, r.status, r.verdict])).toEqual([
      ['valid', 299, 'ok'],
      ['tampered-body', 299, 'wrongly-accepted'],
    ])
    expect(ok299.summary).toContain('✗ tampered-body: wrongly accepted (expected reject, got 299)')
    const redirect = await checkReceiver(answer(300), { scheme, secret, payload, only })
    expect(redirect.results.map((r) => [r.name, r.status, r.verdict, r.note])).toEqual([
      ['valid', 300, 'wrongly-rejected', undefined],
      ['tampered-body', 300, 'ok', undefined],
    ])
  })
})

describe('checkReceiver verdicts: answer-time and alive-after-garbage', () => {
  it('answer-time stops waiting at 1.5 times the limit plus 1 s, and reports the slowest answer', async () => {
    const limited = await checkReceiver(hang, {
      scheme,
      secret,
      payload,
      only: ['answer-time'],
      burst: 1,
      answerTimeLimitMs: 100,
      timeoutMs: 5000,
    })
    expect(limited.results[0]).toMatchObject({
      verdict: 'too-slow',
      error: { code: 'timeout', message: 'No answer within 1150 ms.' },
      timing: { count: 1, limitMs: 100, source: 'answerTimeLimitMs' },
    })

    // Two at once: one answered 200 at once, the other 202 a moment after the first.
    let first: (() => void) | undefined
    const firstAnswered = new Promise<void>((resolve) => (first = resolve))
    let calls = 0
    const report = await checkReceiver(
      async () => {
        if (calls++ === 0) {
          first!()
          return new Response('ok')
        }
        await firstAnswered
        await sleep(50) // the slow one's work
        return new Response('ok', { status: 202 })
      },
      { scheme, secret, payload, only: ['answer-time'], burst: 2 },
    )
    const r = report.results[0]!
    expect(r.verdict).toBe('ok')
    expect(r.status).toBe(202)
    // Of two answers the median is the faster one.
    expect(r.timing!.maxMs).toBeGreaterThanOrEqual(50)
    expect(r.timing!.p50Ms).toBeLessThan(r.timing!.maxMs)
    expect(r.note).toBe(
      `p50 ${r.timing!.p50Ms} ms, max ${r.timing!.maxMs} ms for 2 at once; limit 10000 ms (${r.timing!.source}).`,
    )
    expect(report.summary).toContain(
      `  ⏱ answer-time: p50 ${r.timing!.p50Ms} ms, max ${r.timing!.maxMs} ms (limit 10000 ms)`,
    )
  })

  it('alive-after-garbage catches a worker that dies on a body that is not UTF-8', async () => {
    const app = fetchReceiver({ scheme, secret })
    let alive = true
    const seen: string[] = []
    const report = await checkReceiver(
      async (request: Request) => {
        seen.push(request.headers.get('content-type') ?? '')
        if (!alive) return new Response('worker down', { status: 503 })
        const bytes = new Uint8Array(await request.clone().arrayBuffer())
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes)
        } catch {
          alive = false // the crash: the worker is gone for every later delivery
          return new Response('bad body', { status: 400 })
        }
        return app.fetch(request)
      },
      { scheme, secret, payload, only: ['alive-after-garbage'] },
    )
    // The signed half-JSON, then the unsigned bytes that are not UTF-8, then a valid delivery.
    expect(seen).toEqual(['application/json', 'application/json', 'application/json'])
    expect(report.results[0]).toMatchObject({
      verdict: 'wrongly-rejected',
      status: 503,
      note: 'After garbage (answered 400, 400), a valid delivery got 503.',
    })
    const fine = await checkReceiver(fetchReceiver({ scheme, secret }).fetch, {
      scheme,
      secret,
      payload,
      only: ['alive-after-garbage'],
    })
    expect(fine.results[0]).toMatchObject({
      verdict: 'ok',
      status: 200,
      note: 'Garbage answered 400, 400; the next valid delivery 200.',
    })
  })

  it('a 500 to a bad delivery is a refusal, with a note that senders retry a 5xx', async () => {
    const report = await checkReceiver(async () => new Response(null, { status: 500 }), {
      scheme,
      secret,
      payload,
      only: ['tampered-body'],
    })
    expect(report.results[0]).toMatchObject({
      verdict: 'ok',
      status: 500,
      note: 'Rejected with a 5xx: a real sender treats that as an outage and retries it.',
    })
    const four = await checkReceiver(async () => new Response(null, { status: 499 }), {
      scheme,
      secret,
      payload,
      only: ['tampered-body'],
    })
    expect(four.results[0]).toMatchObject({ verdict: 'ok', status: 499 })
    expect(four.results[0]!.note).toBeUndefined()
  })

  it('each delivery it makes up carries the payload id with a suffix naming its case', async () => {
    const app = fetchReceiver({ scheme, secret })
    const ids: string[] = []
    await checkReceiver(
      async (request: Request) => {
        const body = (await request
          .clone()
          .json()
          .catch(() => undefined)) as { id?: string } | undefined
        if (body?.id) ids.push(body.id)
        return app.fetch(request)
      },
      {
        scheme,
        secret,
        payload,
        only: ['oversized-body', 'concurrent-duplicates', 'answer-time', 'alive-after-garbage'],
        concurrency: 2,
        burst: 2,
      },
    )
    // evt_1, the run's tag (so a second run is not taken for duplicates), then the case's.
    const made = ids
      .filter((id) => /^evt_1_run[0-9a-f]{8}_/.test(id))
      .map((id) => id.slice('evt_1_run12345678_'.length))
    // Numbered in the order they were made, each its own id (the two copies share one).
    expect(made).toEqual([
      'after-oversized1',
      'concurrent2',
      'concurrent2',
      expect.stringMatching(/^burst[34]$/),
      expect.stringMatching(/^burst[34]$/),
      'alive5',
    ])
    expect(new Set(made).size).toBe(5)
  })
})
