// More of how checkReceiver judges: answers that never come or come for some copies only,
// receivers that fall over after taking a body, full notes for the idempotency verdicts, the
// answer-time figures, what the garbage is, where made-up deliveries go, and the summary.
import { createHmac } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { checkReceiver, getScheme, HookwrightError } from '../../src/index.js'
import { fetchReceiver } from '../apps/fetch-receiver.js'
import { byName, hang, onDuplicate, type Handler } from './check-handlers.js'
import { twilioJson } from './twilio-json.js'

const scheme = 'stripe'
const secret = 'whsec_test_secret_for_judging'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { amount: 1200 } }

describe('checkReceiver judging: idempotency notes', () => {
  it('a correct receiver counted through processedCount: the replay is ignored, the retry passes quietly', async () => {
    const app = fetchReceiver({ scheme, secret })
    const report = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      only: ['replayed-message-id', 'retried-with-new-signature'],
      processedCount: app.processed,
    })
    const r = byName(report.results)
    expect(r['replayed-message-id']).toMatchObject({
      verdict: 'ok',
      status: 200,
      note: 'Answered 2xx and ignored as a duplicate.',
    })
    expect(r['retried-with-new-signature']).toMatchObject({ verdict: 'ok', status: 200 })
    expect(r['retried-with-new-signature']!.note).toBeUndefined()
  })

  it('a replay refused with 409 passes with no note, counted or not', async () => {
    for (const counted of [true, false]) {
      const app = fetchReceiver({ scheme, secret })
      const report = await checkReceiver(
        onDuplicate(app, async () => new Response(null, { status: 409 })),
        {
          scheme,
          secret,
          payload,
          only: ['replayed-message-id'],
          ...(counted ? { processedCount: app.processed } : {}),
        },
      )
      expect(report.results[0]).toMatchObject({ verdict: 'ok', status: 409 })
      expect(report.results[0]!.note).toBeUndefined()
    }
  })

  it('a receiver that takes everything: the full notes for the replay and the copies', async () => {
    let processed = 0
    const takeAll: Handler = async () => {
      processed++
      return new Response('ok')
    }
    const blind = await checkReceiver(takeAll, {
      scheme,
      secret,
      payload,
      only: ['replayed-message-id'],
    })
    expect(blind.results[0]).toMatchObject({
      verdict: 'wrongly-accepted',
      note:
        'The replay was answered 2xx. If the receiver ignores duplicates and answers 2xx on ' +
        'purpose, pass `processedCount` so checkReceiver can tell.',
    })
    const counted = await checkReceiver(takeAll, {
      scheme,
      secret,
      payload,
      only: ['concurrent-duplicates'],
      concurrency: 3,
      processedCount: () => processed,
    })
    expect(counted.results[0]).toMatchObject({
      verdict: 'wrongly-accepted',
      note:
        'Processed 3 times for 3 copies sent at once (answers: 200, 200, 200): the check for a ' +
        'seen id and the insert are not one atomic step (use a unique constraint or an atomic set-if-absent).',
    })
  })
})

describe('checkReceiver judging: answers that do not come', () => {
  it('the first delivery of the replay gets no answer: no-answer, and why it could not be judged', async () => {
    const report = await checkReceiver(hang, {
      scheme,
      secret,
      payload,
      only: ['replayed-message-id'],
      timeoutMs: 300,
    })
    expect(report.results[0]).toMatchObject({
      verdict: 'no-answer',
      error: { code: 'timeout' },
      note: 'The first, valid, delivery was not accepted, so the case could not be judged.',
    })
  })

  it('one copy answered, the others never: no-answer, with the missing answer', async () => {
    const app = fetchReceiver({ scheme, secret })
    const report = await checkReceiver(onDuplicate(app, hang), {
      scheme,
      secret,
      payload,
      only: ['concurrent-duplicates'],
      concurrency: 3,
      timeoutMs: 300,
    })
    const r = report.results[0]!
    expect(r).toMatchObject({ verdict: 'no-answer', error: { code: 'timeout' } })
    expect(r.status).toBeUndefined()
    expect(r.note).toMatch(/^answers: /)
    expect(r.note!.match(/no answer \(timeout\)/g)).toHaveLength(2)
    expect(r.note).toContain('200')
    expect(report.summary).toContain(
      '✗ concurrent-duplicates: no answer (got no answer (timeout)).',
    )
  })

  it('a listener that drops the connection: the burst and the replay get no answer, not too-slow', async () => {
    const drop = (req: IncomingMessage, _res: ServerResponse) => {
      req.socket.destroy()
    }
    const report = await checkReceiver(drop, {
      scheme,
      secret,
      payload,
      only: ['answer-time', 'replayed-message-id'],
      burst: 2,
    })
    const r = byName(report.results)
    expect(r['answer-time']!.verdict).toBe('no-answer')
    expect(r['answer-time']!.error?.code).toBeDefined()
    expect(r['answer-time']!.error?.code).not.toBe('timeout')
    expect(r['answer-time']!.note).toMatch(/^Not every delivery of the burst was accepted \(/)
    expect(r['replayed-message-id']!.verdict).toBe('no-answer')
    expect(report.noAnswer.map((x) => x.name)).toEqual(['replayed-message-id', 'answer-time'])
  })

  it('an app that takes the oversized body and then falls over is judged on the body it took', async () => {
    const app = fetchReceiver({ scheme, secret, bugs: ['no-body-limit'] })
    let down = false
    const report = await checkReceiver(
      async (request: Request) => {
        if (down) return new Response('out of memory', { status: 503 })
        const size = (await request.clone().arrayBuffer()).byteLength
        const res = await app.fetch(request)
        if (size > 512 * 1024) down = true
        return res
      },
      { scheme, secret, payload, only: ['oversized-body'] },
    )
    expect(report.results[0]).toMatchObject({ verdict: 'wrongly-accepted', status: 200 })
    expect(report.results[0]!.note).toBeUndefined()
  })
})

describe('checkReceiver judging: answer-time', () => {
  it('p50 is the median and the status is the slowest answer’s', async () => {
    // Three at once: the second answers 202 after the other two have answered 200.
    let answered = 0
    let bothAnswered: (() => void) | undefined
    const others = new Promise<void>((resolve) => (bothAnswered = resolve))
    let calls = 0
    const report = await checkReceiver(
      async () => {
        const n = ++calls
        if (n === 2) {
          await others
          await sleep(50) // the slow one's work
          return new Response('ok', { status: 202 })
        }
        if (++answered === 2) bothAnswered!()
        return new Response('ok')
      },
      { scheme, secret, payload, only: ['answer-time'], burst: 3 },
    )
    const r = report.results[0]!
    expect(r).toMatchObject({ verdict: 'ok', status: 202 })
    expect(r.timing!.maxMs).toBeGreaterThanOrEqual(50)
    expect(r.timing!.p50Ms).toBeLessThan(r.timing!.maxMs)
  })

  it('no figures line in the summary when answer-time failed', async () => {
    const report = await checkReceiver(hang, {
      scheme,
      secret,
      payload,
      only: ['answer-time'],
      burst: 1,
      answerTimeLimitMs: 10,
      timeoutMs: 300,
    })
    expect(report.results[0]!.verdict).toBe('too-slow')
    expect(report.summary).not.toContain('⏱')
  })
})

describe('checkReceiver judging: what it sends', () => {
  it('alive-after-garbage first sends validly signed bytes that are not JSON', async () => {
    const bodies: Array<{ body: string; signature: string }> = []
    await checkReceiver(
      async (request: Request) => {
        bodies.push({
          body: await request.text(),
          signature: request.headers.get('stripe-signature') ?? '',
        })
        return new Response(null, { status: bodies.length === 3 ? 200 : 400 })
      },
      { scheme, secret, payload, only: ['alive-after-garbage'] },
    )
    const { body, signature } = bodies[0]!
    expect(body.length).toBeGreaterThan(0)
    expect(() => JSON.parse(body)).toThrow()
    const parts = Object.fromEntries(signature.split(',').map((kv) => kv.split('=')))
    const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex')
    expect(parts.v1).toBe(expected)
    // Then junk with no signature at all.
    expect(bodies[1]!.signature).toBe('')
  })

  it('made-up deliveries carry a fresh msg_ id of 32 hex digits, one per delivery', async () => {
    const ids: string[] = []
    await checkReceiver(
      async (request: Request) => {
        ids.push(request.headers.get('webhook-id') ?? '')
        return new Response('ok')
      },
      {
        scheme: 'standardWebhooks',
        secret: getScheme('standardWebhooks').generateSecret().signSecret,
        payload,
        only: ['answer-time', 'alive-after-garbage'],
        burst: 2,
      },
    )
    // Two of the burst, the signed garbage, the junk (no id), the valid one after.
    expect(ids).toHaveLength(5)
    expect(ids[3]).toBe('')
    const made = ids.filter((id) => id !== '')
    for (const id of made) expect(id).toMatch(/^msg_[0-9a-f]{32}$/)
    expect(new Set(made).size).toBe(4)
  })

  it('a scheme that signs the URL (Twilio with a JSON body): made-up deliveries go to the URL signed', async () => {
    const urls: string[] = []
    await checkReceiver(
      async (request: Request) => {
        urls.push(request.url)
        return new Response('ok')
      },
      {
        scheme: twilioJson,
        secret: 's',
        payload,
        path: '/sms',
        only: ['concurrent-duplicates'],
        concurrency: 2,
      },
    )
    expect(urls).toHaveLength(2)
    for (const url of urls) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1\/sms\?bodySHA256=[0-9a-f]{64}$/)
    }
  })
})

describe('checkReceiver judging: out-of-order state and misuse', () => {
  it('a pair whose object does not change, and a pair of raw payloads', async () => {
    const same = { id: 'evt_s', object: 'event', data: { object: { id: 'cus_9', plan: 'free' } } }
    const app = fetchReceiver({ scheme, secret })
    const unchanged = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      only: ['out-of-order'],
      pair: { older: same, newer: { ...same, id: 'evt_t' } },
      stateOf: app.state,
    })
    expect(unchanged.results[0]).toMatchObject({
      verdict: 'ok',
      note: "The record holds the newer event's state.",
    })
    // Raw text payloads have no object to name: stateOf is asked about undefined.
    const asked: unknown[] = []
    await checkReceiver(async () => new Response('ok'), {
      scheme,
      secret,
      payload,
      only: ['out-of-order'],
      pair: { older: 'a=1', newer: 'a=2' },
      stateOf: (id) => {
        asked.push(id)
        return undefined
      },
    })
    expect(asked).toEqual([undefined])
  })

  it('the two events carry their own ids with a suffix naming which is which, newer sent first', async () => {
    const ids: string[] = []
    await checkReceiver(
      async (request: Request) => {
        ids.push(((await request.json()) as { id: string }).id)
        return new Response('ok')
      },
      {
        scheme,
        secret,
        payload,
        only: ['out-of-order'],
        pair: { older: { id: 'evt_o', data: { n: 1 } }, newer: { id: 'evt_n', data: { n: 2 } } },
      },
    )
    // Each id also carries the run's tag, so a second run is not taken for duplicates.
    expect(ids).toEqual([
      expect.stringMatching(/^evt_n_run[0-9a-f]{8}_newer2$/),
      expect.stringMatching(/^evt_o_run[0-9a-f]{8}_older1$/),
    ])
    expect(ids[0]!.slice(6, 17)).toBe(ids[1]!.slice(6, 17))
  })

  it.each([
    ['method', { method: { toString: () => 'POST' } }],
    ['only', { only: ['valid', 1] }],
  ] as const)('%s that is not all strings is refused', async (option, extra) => {
    const error = await checkReceiver(async () => new Response('ok'), {
      scheme,
      secret,
      payload,
      ...extra,
    } as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HookwrightError)
    expect((error as Error).message).toMatch(new RegExp(`^Invalid option \`${option}\``))
  })

  it('tolerance and maxBodyBytes given as undefined are the defaults', async () => {
    const app = fetchReceiver({ scheme, secret })
    const report = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      tolerance: undefined,
      maxBodyBytes: undefined,
      only: ['timestamp-too-old', 'timestamp-just-inside', 'oversized-body'],
    })
    expect(report.failed).toEqual([])
    expect(report.results.map((r) => r.name)).toEqual([
      'timestamp-too-old',
      'timestamp-just-inside',
      'oversized-body',
    ])
  })
})

describe('checkReceiver judging: timestamp cases near a short tolerance', () => {
  it("signs each timestamp case just before sending it, so the earlier cases' time does not push it past the edge (Paddle: 5 s, 1 s margin)", async () => {
    const paddle = getScheme('paddle')
    const { signSecret, verifySecret } = paddle.generateSecret()
    const seen: string[] = []
    // Verifies on arrival, then takes 300 ms to answer: the signature cases sent before
    // timestamp-just-inside take well over its 1 s margin.
    const slow = async (request: Request): Promise<Response> => {
      const body = new Uint8Array(await request.arrayBuffer())
      const result = paddle.verify({ headers: request.headers, body, secret: verifySecret })
      seen.push(result.ok ? 'ok' : result.reason)
      await sleep(300)
      return new Response(null, { status: result.ok ? 200 : 401 })
    }
    const report = await checkReceiver(slow, {
      scheme: 'paddle',
      secret: signSecret,
      payload,
      only: ['signature'],
    })
    expect(seen.length).toBeGreaterThanOrEqual(6)
    expect(byName(report.results)['timestamp-just-inside']).toMatchObject({ verdict: 'ok' })
    expect(report.failed).toEqual([])
  })
})
