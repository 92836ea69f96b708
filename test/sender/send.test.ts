import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createReceiver,
  exponential,
  getScheme,
  HookwrightError,
  retryPolicies,
  sendWebhook,
  virtualClock,
  type Receiver,
  type RetryPolicy,
} from '../../src/index.js'

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const payload = { type: 'user.created', data: { id: 'u_1' } }
let receiver: Receiver

beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(async () => {
  await receiver.close()
})

describe('sendWebhook: each retry policy against a scripted endpoint', () => {
  const named: Array<[string, RetryPolicy]> = [
    ['standardWebhooks', retryPolicies.standardWebhooks],
    ['svix', retryPolicies.svix],
    ['stripe', retryPolicies.stripe],
    ['shopify', retryPolicies.shopify],
    ['slack', retryPolicies.slack],
    ['none', retryPolicies.none],
  ]

  it.each(named)(
    '%s: runs its whole schedule against an endpoint that always fails',
    async (_, policy) => {
      const ep = receiver.endpoint({ respond: 500 })
      const clock = virtualClock(1_700_000_000_000)
      const result = await sendWebhook(ep.url, {
        scheme: 'standardWebhooks',
        secret,
        payload,
        retry: policy,
        clock,
        id: 'msg_fixed',
      })
      expect(result).toMatchObject({ ok: false, final: 'exhausted' })
      expect(result.attempts).toHaveLength(policy.delays.length + 1)
      expect(clock.slept).toEqual(policy.delays)
      expect(result.attempts.map((a) => a.delayBeforeMs)).toEqual([0, ...policy.delays])
      const deliveries = await ep.waitFor({ count: policy.delays.length + 1, timeout: 2000 })
      // The same message id on every attempt, a fresh timestamp that follows the schedule, and a
      // signature valid at the time of each attempt.
      let elapsed = 0
      deliveries.forEach((d, i) => {
        elapsed += i === 0 ? 0 : policy.delays[i - 1]!
        expect(d.header('webhook-id')).toBe('msg_fixed')
        expect(Number(d.header('webhook-timestamp'))).toBe(
          1_700_000_000 + Math.floor(elapsed / 1000),
        )
        expect(
          getScheme('standardWebhooks').verify({
            headers: d.headers,
            body: d.rawBody,
            secret,
            now: 1_700_000_000 + Math.floor(elapsed / 1000),
          }).ok,
        ).toBe(true)
        expect(d.json()).toEqual(payload)
      })
    },
  )

  it('standardWebhooks: delivers on the third attempt and stops there', async () => {
    const ep = receiver.endpoint({ respond: [500, 503, 200] })
    const clock = virtualClock()
    const result = await sendWebhook(ep.url, {
      scheme: 'standardWebhooks',
      secret,
      payload,
      retry: retryPolicies.standardWebhooks,
      clock,
    })
    expect(result.ok).toBe(true)
    expect(result.final).toBe('delivered')
    expect(result.attempts.map((a) => a.status)).toEqual([500, 503, 200])
    expect(clock.slept).toEqual([5_000, 300_000])
    expect(ep.deliveries).toHaveLength(3)
  })

  it('slack: adds x-slack-retry-num and x-slack-retry-reason on retries only', async () => {
    const ep = receiver.endpoint({ respond: [500, 'hang', 'reset', 200] })
    const result = await sendWebhook(ep.url, {
      scheme: 'slack',
      secret: 'slack_signing_secret',
      payload,
      retry: retryPolicies.slack,
      clock: virtualClock(),
      timeoutMs: 300,
    })
    expect(result.final).toBe('delivered')
    expect(result.attempts.map((a) => a.status ?? a.error?.code)).toEqual([
      500,
      'timeout',
      expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/),
      200,
    ])
    const sent = result.attempts.map((a) => [
      a.headers['x-slack-retry-num'],
      a.headers['x-slack-retry-reason'],
    ])
    expect(sent).toEqual([
      [undefined, undefined],
      ['1', 'http_error'],
      ['2', 'http_timeout'],
      ['3', 'connection_failed'],
    ])
    const [last] = await ep.waitFor({ match: (d) => d.response.status === 200 })
    expect(last!.header('x-slack-retry-num')).toBe('3')
  })

  it('exponential: delays follow base·factor^i capped at max, within the jitter bounds', async () => {
    const policy = exponential({ base: 1000, factor: 3, max: 20_000, jitter: 0.2, attempts: 6 })
    expect(policy.delays).toEqual([1000, 3000, 9000, 20_000, 20_000])
    const ep = receiver.endpoint({ respond: 503 })
    const clock = virtualClock()
    const result = await sendWebhook(ep.url, {
      scheme: 'stripe',
      secret: 'whsec_x',
      payload,
      retry: policy,
      clock,
    })
    expect(result.attempts).toHaveLength(6)
    clock.slept.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(policy.delays[i]! * 0.8)
      expect(ms).toBeLessThanOrEqual(policy.delays[i]! * 1.2)
    })
    // The edges of the jitter range are reachable.
    const low = virtualClock()
    await sendWebhook(ep.url, {
      scheme: 'stripe',
      secret: 'whsec_x',
      payload,
      retry: policy,
      clock: low,
      random: () => 0,
    })
    expect(low.slept).toEqual(policy.delays.map((d) => d * 0.8))
  })

  it('uses real timers by default (short delays), and a bare `sleep` keeps the real clock', async () => {
    const ep = receiver.endpoint({ respond: [500, 500, 200] })
    const result = await sendWebhook(ep.url, {
      scheme: 'github',
      secret: 's',
      payload,
      retry: exponential({ base: 20, factor: 2, attempts: 3 }),
    })
    expect(result.ok).toBe(true)
    const [a, b, c] = ep.deliveries
    // Lower bounds only: a timer never fires early, but may fire late on a busy machine.
    expect(b!.receivedAt - a!.receivedAt).toBeGreaterThanOrEqual(19)
    expect(c!.receivedAt - b!.receivedAt).toBeGreaterThanOrEqual(39)

    const asked: number[] = []
    const ep2 = receiver.endpoint({ respond: [500, 200] })
    await sendWebhook(ep2.url, {
      scheme: 'github',
      secret: 's',
      payload,
      retry: retryPolicies.stripe,
      sleep: async (ms) => {
        asked.push(ms)
      },
    })
    expect(asked).toEqual([300_000])
  })
})

describe('sendWebhook: how answers end or steer the retries', () => {
  it('stops at 410 Gone', async () => {
    const ep = receiver.endpoint({ respond: [500, 410, 200] })
    const result = await sendWebhook(ep.url, {
      scheme: 'stripe',
      secret: 'whsec_x',
      payload,
      retry: retryPolicies.stripe,
      clock: virtualClock(),
    })
    expect(result).toMatchObject({ ok: false, final: 'gone' })
    expect(result.attempts.map((a) => a.status)).toEqual([500, 410])
    expect(ep.deliveries).toHaveLength(2)
  })

  it('honours Retry-After in seconds and as an HTTP date on 503 and 429, not on 500', async () => {
    const start = 1_700_000_000_000
    const date = new Date(start + 7_000 + 60_000).toUTCString()
    const ep = receiver.endpoint({
      respond: [
        { status: 503, retryAfter: 7 },
        { status: 429, retryAfter: date },
        { status: 500, retryAfter: 99 },
        200,
      ],
    })
    const clock = virtualClock(start)
    const result = await sendWebhook(ep.url, {
      scheme: 'stripe',
      secret: 'whsec_x',
      payload,
      retry: retryPolicies.standardWebhooks,
      clock,
    })
    expect(result.ok).toBe(true)
    // 7 s and 60 s from Retry-After; then the schedule's third delay (30 min), since a 500's
    // Retry-After is not a promise.
    expect(clock.slept).toEqual([7_000, 60_000, 30 * 60_000])
  })

  it('times out a hanging endpoint per attempt and retries it', async () => {
    const ep = receiver.endpoint({ respond: ['hang', 200] })
    const result = await sendWebhook(ep.url, {
      scheme: 'stripe',
      secret: 'whsec_x',
      payload,
      retry: exponential({ base: 1, attempts: 2 }),
      timeoutMs: 200,
      clock: virtualClock(),
    })
    expect(result.attempts[0]).toMatchObject({ attempt: 1, error: { code: 'timeout' } })
    expect(result.attempts[0]!.status).toBeUndefined()
    expect(result.attempts[1]!.status).toBe(200)
    expect(result.final).toBe('delivered')
  })

  it('counts a 3xx as a failure and does not follow it', async () => {
    const other = receiver.endpoint()
    const ep = receiver.endpoint({ respond: { status: 302, headers: { location: other.url } } })
    const result = await sendWebhook(ep.url, { scheme: 'stripe', secret: 'whsec_x', payload })
    expect(result).toMatchObject({ ok: false, final: 'exhausted' })
    expect(result.attempts.map((a) => a.status)).toEqual([302])
    expect(result.attempts[0]!.responseHeaders.location).toBe(other.url)
    expect(other.deliveries).toHaveLength(0)
  })

  it('retries a refused connection', async () => {
    const closed = await createReceiver()
    const url = `${closed.url}/h/gone`
    await closed.close()
    const result = await sendWebhook(url, {
      scheme: 'stripe',
      secret: 'whsec_x',
      payload,
      retry: exponential({ base: 10, attempts: 2 }),
      clock: virtualClock(),
    })
    expect(result.attempts.map((a) => a.error?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED'])
    expect(result.final).toBe('exhausted')
  })

  it('signs the URL for URL-signing schemes (Twilio), and the receiver verifies it', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'twilio', secret: 'twilio_auth_token' } })
    const result = await sendWebhook(ep.url, {
      scheme: 'twilio',
      secret: 'twilio_auth_token',
      payload: { From: '+15550100', Body: 'hi' },
    })
    expect(result.attempts.map((a) => a.status)).toEqual([200])
    const [d] = await ep.waitFor()
    expect(d!.verification).toMatchObject({ ok: true })
    expect(d!.header('content-type')).toBe('application/x-www-form-urlencoded')
  })

  it('sends extra headers and another method; the signature headers win', async () => {
    const ep = receiver.endpoint()
    await sendWebhook(ep.url, {
      scheme: 'github',
      secret: 's',
      payload: 'raw text',
      method: 'put',
      headers: { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': 'forged' },
    })
    const [d] = await ep.waitFor()
    expect(d!.method).toBe('PUT')
    expect(d!.header('x-github-event')).toBe('push')
    expect(d!.header('x-hub-signature-256')).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(d!.header('content-type')).toBe('text/plain; charset=utf-8')
    expect(d!.text()).toBe('raw text')
  })
})

describe('sendWebhook: misuse', () => {
  const ok = { scheme: 'stripe' as const, secret: 'whsec_x', payload }
  const url = 'http://127.0.0.1:9/h/x'
  it.each([
    [{ ...ok, scheme: 'nope' }, /Unknown scheme "nope"\. Known schemes: stripe, github/],
    [{ ...ok, secret: '' }, /`secret` must be a non-empty string/],
    [{ ...ok, payload: undefined }, /`payload`/],
    [{ ...ok, retry: { delays: 'x' } }, /`retry`/],
    [{ ...ok, retry: { delays: [-1], jitter: 0 } }, /`retry.delays\[0\]`/],
    [{ ...ok, retry: { delays: [], jitter: 2 } }, /`retry.jitter`/],
    [{ ...ok, timeoutMs: 0 }, /`timeoutMs`/],
    [{ ...ok, method: 'NOT A METHOD' }, /`method`/],
    [{ ...ok, headers: { 'bad header': 'x' } }, /`headers\["bad header"\]`/],
    [{ ...ok, clock: virtualClock(), sleep: async () => {} }, /`sleep`/],
    [{ ...ok, clock: {} }, /`clock`/],
    [{ ...ok, retries: 3 }, /sendWebhook\(\{ retries \}\)/],
  ])('%#: throws a HookwrightError naming the option', async (options, message) => {
    await expect(sendWebhook(url, options as never)).rejects.toThrow(message)
    await expect(sendWebhook(url, options as never)).rejects.toBeInstanceOf(HookwrightError)
  })

  it('refuses a URL that is not absolute http(s)', async () => {
    await expect(sendWebhook('/relative', ok)).rejects.toThrow(/`sendWebhook\(url\)`/)
    await expect(sendWebhook('ftp://x', ok)).rejects.toThrow(/http:\/\/ or https:\/\//)
  })

  it('exponential() checks its options', () => {
    expect(() => exponential({ factor: 0.5 })).toThrow(/factor/)
    expect(() => exponential({ attempts: 0 })).toThrow(/attempts/)
    expect(() => exponential({ base: -1 })).toThrow(/base/)
    expect(() => exponential({ max: Number.NaN })).toThrow(/max/)
    expect(() => exponential({ jitter: 1.5 })).toThrow(/jitter/)
    expect(exponential().delays).toEqual([1000, 2000, 4000, 8000])
  })
})
