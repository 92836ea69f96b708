import { Agent, RetryAgent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver, exponential, stripe, type Receiver } from '../../src/index.js'

// A sender not written here: undici's RetryAgent, driven through a scripted hookwright endpoint.
let receiver: Receiver
let agent: Agent
beforeAll(async () => {
  receiver = await createReceiver()
  agent = new Agent()
})
afterAll(async () => {
  await agent.close()
  await receiver.close()
})

const secret = 'whsec_third_party'
const payload = { id: 'evt_42', type: 'invoice.paid' }

function retrying(maxTimeout = 200) {
  return new RetryAgent(agent, {
    maxRetries: 3,
    minTimeout: 20,
    maxTimeout,
    timeoutFactor: 2,
    methods: ['POST'],
    statusCodes: [500, 502, 503, 504, 429],
  })
}

describe("undici's RetryAgent as a webhook sender", () => {
  it('retries 500 and 503 until a 200, and its attempts follow its exponential backoff', async () => {
    const ep = receiver.endpoint({ respond: [500, 503, 200], verify: { scheme: 'stripe', secret } })
    const { headers, body } = stripe.sign({ payload, secret })
    const res = await request(ep.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
      dispatcher: retrying(),
    })
    await res.body.dump()
    expect(res.statusCode).toBe(200)

    const deliveries = await ep.waitFor({ count: 3, timeout: 2000 })
    expect(deliveries.map((d) => d.response.status)).toEqual([500, 503, 200])
    expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3])
    expect(deliveries.every((d) => d.verification?.ok)).toBe(true)
    // The policy RetryAgent was given, as data: 20 ms then 40 ms. Gaps can only be longer.
    const policy = exponential({ base: 20, factor: 2, max: 200, attempts: 4 })
    const gaps = deliveries.slice(1).map((d, i) => d.receivedAt - deliveries[i]!.receivedAt)
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(policy.delays[i]! - 1))
    // What sets a generic retrying client apart from a webhook sender: every attempt carries the
    // very same signature and timestamp, so a long schedule would fall outside the tolerance.
    expect(new Set(deliveries.map((d) => d.header('stripe-signature'))).size).toBe(1)
  })

  it('gives up after maxRetries and reports the last failure', async () => {
    const ep = receiver.endpoint({ respond: 503 })
    const { headers, body } = stripe.sign({ payload, secret })
    await expect(
      request(ep.url, { method: 'POST', headers, body, dispatcher: retrying() }),
    ).rejects.toMatchObject({ statusCode: 503 })
    const deliveries = await ep.waitFor({ count: 4, timeout: 2000 })
    expect(deliveries).toHaveLength(4)
    expect(ep.deliveries).toHaveLength(4)
  })

  it('does not retry a 410 Gone, and waits as long as Retry-After asks', async () => {
    const gone = receiver.endpoint({ respond: [410, 200] })
    const res = await request(gone.url, { method: 'POST', body: '{}', dispatcher: retrying() })
    await res.body.dump()
    expect(res.statusCode).toBe(410)
    expect(gone.deliveries).toHaveLength(1)

    const busy = receiver.endpoint({ respond: [{ status: 503, retryAfter: 1 }, 200] })
    // RetryAgent caps Retry-After at maxTimeout, so give it room for the 1 s asked for.
    const ok = await request(busy.url, { method: 'POST', body: '{}', dispatcher: retrying(5000) })
    await ok.body.dump()
    expect(ok.statusCode).toBe(200)
    const [first, second] = await busy.waitFor({ count: 2, timeout: 3000 })
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(999)
  })
})
