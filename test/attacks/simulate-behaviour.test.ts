// simulateProvider as a provider behaves: when it stops (2xx, 410, the policy's end), when it
// follows Retry-After, what each retry carries, what the options change, and what the summary
// says. The receivers are fetch handlers called in-process.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import {
  exponential,
  getScheme,
  HookwrightError,
  retryPolicies,
  simulateProvider,
  type RetryPolicy,
} from '../../src/index.js'
import { fetchReceiver } from '../apps/fetch-receiver.js'
import { twilioJson } from './twilio-json.js'

const scheme = 'stripe'
const secret = 'whsec_test_secret_for_simulate'
const payload = { id: 'evt_sim', object: 'event', type: 'invoice.paid', data: { object: {} } }

/** Answers the given statuses in turn (the last one from then on), recording each request. */
function scripted(statuses: ReadonlyArray<number | ResponseInit | 'hang'>) {
  const requests: Request[] = []
  const handler = async (request: Request): Promise<Response> => {
    requests.push(request)
    const next = statuses[Math.min(requests.length, statuses.length) - 1]!
    if (next === 'hang') return new Promise<Response>(() => {})
    return new Response(null, typeof next === 'number' ? { status: next } : next)
  }
  return { handler, requests }
}

const policy = (delays: number[], extra: Partial<RetryPolicy> = {}): RetryPolicy => ({
  name: 'test',
  delays,
  jitter: 0,
  source: 'this test',
  ...extra,
})

describe('simulateProvider: when the provider stops', () => {
  it('410 Gone stops the retries at once', async () => {
    const r = scripted([500, 410, 200])
    const sim = await simulateProvider(r.handler, { scheme, secret, payload })
    expect(sim).toMatchObject({ ok: false, final: 'gone', policy: 'stripe' })
    expect(sim.attempts.map((a) => a.status)).toEqual([500, 410])
    expect(sim.summary.split('\n')).toEqual([
      'simulateProvider http://127.0.0.1/ (stripe policy): gone after 2 attempt(s).',
      '  #1 at +0 s: 500',
      '  #2 at +5 min: 410',
    ])
  })

  it('any 2xx delivers (299 too); a 300 is retried like a failure', async () => {
    const ok = scripted([299])
    expect(await simulateProvider(ok.handler, { scheme, secret, payload })).toMatchObject({
      ok: true,
      final: 'delivered',
    })
    expect(ok.requests).toHaveLength(1)
    const redirect = scripted([300, 200])
    const sim = await simulateProvider(redirect.handler, { scheme, secret, payload })
    expect(sim.attempts.map((a) => a.status)).toEqual([300, 200])
    expect(sim.final).toBe('delivered')
  })

  it('the policy gives up after its last delay: one attempt more than it has delays', async () => {
    const r = scripted([500])
    const sim = await simulateProvider(r.handler, {
      scheme,
      secret,
      payload,
      retry: policy([1000, 3_903_000]),
    })
    expect(sim).toMatchObject({ ok: false, final: 'exhausted', policy: 'test' })
    expect(sim.attempts.map((a) => [a.attempt, a.atMs, a.delayBeforeMs])).toEqual([
      [1, 0, 0],
      [2, 1000, 1000],
      [3, 3_904_000, 3_903_000],
    ])
    expect(sim.summary.split('\n')).toEqual([
      'simulateProvider http://127.0.0.1/ (test policy): exhausted after 3 attempt(s).',
      '  #1 at +0 s: 500',
      '  #2 at +1 s: 500',
      '  #3 at +1 h 5 min 4 s: 500',
    ])
    // GitHub redelivers nothing by itself: one attempt.
    const github = scripted([500])
    const once = await simulateProvider(github.handler, { scheme: 'github', secret: 's', payload })
    expect(once).toMatchObject({ policy: 'none', final: 'exhausted' })
    expect(once.attempts).toHaveLength(1)
  })

  it('a 429 or 503 with Retry-After waits what it says (seconds or a date); a 500 does not', async () => {
    const seconds = scripted([{ status: 429, headers: { 'retry-after': '120' } }, 200])
    const a = await simulateProvider(seconds.handler, { scheme, secret, payload })
    expect(a.attempts.map((x) => [x.status, x.delayBeforeMs])).toEqual([
      [429, 0],
      [200, 120_000],
    ])
    const unavailable = scripted([{ status: 503, headers: { 'retry-after': '7' } }, 200])
    const b = await simulateProvider(unavailable.handler, { scheme, secret, payload })
    expect(b.attempts.map((x) => x.delayBeforeMs)).toEqual([0, 7000])
    // A date in the past: retry at once.
    const dated = scripted([
      { status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' } },
      200,
    ])
    const c = await simulateProvider(dated.handler, { scheme, secret, payload })
    expect(c.attempts.map((x) => x.delayBeforeMs)).toEqual([0, 0])
    // Stripe's own schedule after a 500, whatever the header says.
    const error = scripted([{ status: 500, headers: { 'retry-after': '7' } }, 200])
    const d = await simulateProvider(error.handler, { scheme, secret, payload })
    expect(d.attempts.map((x) => x.delayBeforeMs)).toEqual([0, 300_000])
    // No header: the schedule.
    const bare = scripted([429, 200])
    const e = await simulateProvider(bare.handler, { scheme, secret, payload })
    expect(e.attempts.map((x) => x.delayBeforeMs)).toEqual([0, 300_000])
  })

  it('no answer is retried and said so; the retry headers give the reason', async () => {
    const r = scripted(['hang', 500, 200])
    const sim = await simulateProvider(r.handler, {
      scheme,
      secret,
      payload,
      retry: retryPolicies.slack,
      timeoutMs: 300,
    })
    expect(sim.attempts.map((a) => [a.status, a.error?.code])).toEqual([
      [undefined, 'timeout'],
      [500, undefined],
      [200, undefined],
    ])
    expect(sim.attempts[0]).not.toHaveProperty('status')
    expect(sim.attempts[1]).not.toHaveProperty('error')
    expect(sim.summary).toContain('  #1 at +0 s: no answer (timeout)')
    expect(
      r.requests.map((q) => [
        q.headers.get('x-slack-retry-num'),
        q.headers.get('x-slack-retry-reason'),
      ]),
    ).toEqual([
      [null, null],
      ['1', 'http_timeout'],
      ['2', 'http_error'],
    ])
  })

  it('a retry hook is told the retry number, the reason and the previous status', async () => {
    const told: unknown[] = []
    const r = scripted([502, 500, 200])
    await simulateProvider(r.handler, {
      scheme,
      secret,
      payload,
      retry: policy([0, 0], {
        retryHeaders: (context) => {
          told.push(context)
          return { 'X-Attempt': String(context.retry + 1) }
        },
      }),
    })
    expect(told).toEqual([
      { retry: 1, reason: 'http_error', previousStatus: 502 },
      { retry: 2, reason: 'http_error', previousStatus: 500 },
    ])
    // Header names lower-cased; none on the first attempt.
    expect(r.requests.map((q) => q.headers.get('x-attempt'))).toEqual([null, '2', '3'])
  })
})

describe('simulateProvider: what every attempt carries', () => {
  it('the same id, a new signature over a later timestamp, the method and extra headers', async () => {
    const r = scripted([500, 500, 200])
    const before = Math.floor(Date.now() / 1000)
    const sim = await simulateProvider(r.handler, {
      scheme: 'standardWebhooks',
      secret: getScheme('standardWebhooks').generateSecret().signSecret,
      payload,
      id: 'msg_fixed',
      method: 'put',
      headers: { 'x-tenant': 'acme' },
      retry: exponential({ base: 1000, attempts: 3 }),
    })
    expect(sim.id).toBe('msg_fixed')
    const after = Math.floor(Date.now() / 1000)
    expect(
      r.requests.map((q) => [q.method, q.headers.get('webhook-id'), q.headers.get('x-tenant')]),
    ).toEqual([
      ['PUT', 'msg_fixed', 'acme'],
      ['PUT', 'msg_fixed', 'acme'],
      ['PUT', 'msg_fixed', 'acme'],
    ])
    expect(r.requests.map((q) => q.headers.get('content-type'))).toEqual([
      'application/json',
      'application/json',
      'application/json',
    ])
    const stamps = r.requests.map((q) => Number(q.headers.get('webhook-timestamp')))
    expect(stamps).toEqual(sim.attempts.map((a) => a.signedAt))
    // One second apart, the last at most now: all in the past, as a real provider's are.
    expect(stamps[1]! - stamps[0]!).toBe(1)
    expect(stamps[2]! - stamps[1]!).toBe(1)
    expect(stamps[2]!).toBeLessThanOrEqual(after)
    expect(stamps[2]!).toBeGreaterThanOrEqual(before - 1)
    expect(new Set(r.requests.map((q) => q.headers.get('webhook-signature'))).size).toBe(3)
  })

  it('a fresh msg_ id by default, the same on every attempt', async () => {
    const r = scripted([500, 200])
    const sim = await simulateProvider(r.handler, {
      scheme: 'github',
      secret: 's',
      payload,
      retry: policy([0]),
    })
    expect(sim.id).toMatch(/^msg_[0-9a-f]{32}$/)
    expect(r.requests.map((q) => q.headers.get('x-github-delivery'))).toEqual([sim.id, sim.id])
  })

  it('a scheme that signs the URL: each attempt goes to the URL it signed', async () => {
    const r = scripted([200])
    await simulateProvider(r.handler, { scheme: twilioJson, secret: 's', payload, path: '/sms' })
    expect(r.requests[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1\/sms\?bodySHA256=[0-9a-f]{64}$/)
  })

  it('counts how often the event was processed over all the attempts', async () => {
    const app = fetchReceiver({ scheme, secret, failFirst: 1 })
    const once = await simulateProvider(app.fetch, {
      scheme,
      secret,
      payload,
      processedCount: async () => app.processed(),
    })
    expect(once.processed).toBe(1)
    expect(once.summary.split('\n')[0]).toBe(
      'simulateProvider http://127.0.0.1/ (stripe policy): delivered after 2 attempt(s), processed once.',
    )
    const never = scripted([200])
    const zero = await simulateProvider(never.handler, {
      scheme,
      secret,
      payload,
      processedCount: () => 7,
    })
    expect(zero.processed).toBe(0)
    expect(zero.summary.split('\n')[0]).toMatch(
      /delivered after 1 attempt\(s\), processed 0 times\.$/,
    )
    const blind = await simulateProvider(scripted([200]).handler, { scheme, secret, payload })
    expect(blind).not.toHaveProperty('processed')
    expect(blind.summary.split('\n')[0]).toMatch(
      /\(stripe policy\): delivered after 1 attempt\(s\)\.$/,
    )
  })
})

describe('simulateProvider misuse names the option', () => {
  const handler = scripted([200]).handler
  it.each([
    [
      'method',
      { method: 'PO ST' },
      /^Invalid option `method`: expected an HTTP method such as "POST"/,
    ],
    ['method', { method: 7 }, /`method`/],
    ['id', { id: '' }, /^Invalid option `id`: expected a non-empty string/],
    ['id', { id: 42 }, /^Invalid option `id`: expected a non-empty string/],
    [
      'processedCount',
      { processedCount: 1 },
      /^Invalid option `processedCount`: expected a function/,
    ],
    ['headers', { headers: 'x' }, /`headers`/],
    ['timeoutMs', { timeoutMs: -5 }, /`timeoutMs`/],
    ['path', { path: 'hooks' }, /`path`/],
  ] as const)('%s: %o', async (_, extra, message) => {
    const error = await simulateProvider(handler, {
      scheme,
      secret,
      payload,
      ...extra,
    } as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HookwrightError)
    expect((error as Error).message).toMatch(message)
  })
})

describe('simulateProvider: more of what a user relies on', () => {
  it('after no answer, the retry hook is told the reason and no previous status', async () => {
    const told: unknown[] = []
    const r = scripted(['hang', 200])
    await simulateProvider(r.handler, {
      scheme,
      secret,
      payload,
      timeoutMs: 300,
      retry: policy([0], {
        retryHeaders: (context) => {
          told.push(context)
          return {}
        },
      }),
    })
    expect(told).toHaveLength(1)
    expect(told[0]).toStrictEqual({ retry: 1, reason: 'http_timeout' })
  })

  it('a served listener is closed after the run; a bad target names simulateProvider(target)', async () => {
    let port = 0
    const sim = await simulateProvider(
      (req: IncomingMessage, res: ServerResponse) => {
        port = req.socket.localPort ?? 0
        res.end('ok')
      },
      { scheme, secret, payload },
    )
    expect(sim.final).toBe('delivered')
    await expect(fetch(`http://127.0.0.1:${port}/`, { method: 'POST' })).rejects.toThrow()
    await expect(simulateProvider(42 as never, { scheme, secret, payload })).rejects.toThrow(
      /^Invalid option `simulateProvider\(target\)`/,
    )
    await expect(
      simulateProvider(scripted([200]).handler, {
        scheme,
        secret,
        payload,
        method: { toString: () => 'POST' } as never,
      }),
    ).rejects.toThrow(/^Invalid option `method`/)
  })
})
