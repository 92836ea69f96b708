import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import { getGlobalDispatcher, interceptors, request as undiciRequest } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver, expectWebhook, stripe, type Receiver } from '../../src/index.js'
import { interceptWebhooks, type WebhookInterceptor } from '../../src/msw.js'

const origin = 'https://hooks.example.com'
const secret = 'whsec_team_secret'
const event = { id: 'evt_1', type: 'order.paid' }

// A team's sender, three ways: sign, POST, retry once on a non-2xx.
async function sendWithFetch(url: string): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < 2; i++) {
    const { headers, body } = stripe.sign({ payload: event, secret })
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: body as string,
    })
    statuses.push(res.status)
    if (res.ok) break
  }
  return statuses
}

async function sendWithUndici(url: string): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < 2; i++) {
    const { headers, body } = stripe.sign({ payload: event, secret })
    const res = await undiciRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    })
    await res.body.text()
    statuses.push(res.statusCode)
    if (res.statusCode < 300) break
  }
  return statuses
}

function postWithNodeHttp(url: string, body: string): Promise<number> {
  const { headers } = stripe.sign({ payload: body, secret })
  const send = url.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode!))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function sendWithNodeHttp(url: string): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < 2; i++) {
    const status = await postWithNodeHttp(url, JSON.stringify(event))
    statuses.push(status)
    if (status < 300) break
  }
  return statuses
}

let receiver: Receiver
let hooks: WebhookInterceptor | undefined
beforeAll(async () => {
  receiver = await createReceiver()
})
afterEach(async () => {
  await hooks?.close()
  hooks = undefined
})
afterAll(async () => {
  await receiver.close()
})

describe('interceptWebhooks', () => {
  it.each([
    ['fetch', sendWithFetch, origin],
    ['undici.request', sendWithUndici, origin],
    ['node:https.request', sendWithNodeHttp, origin],
    ['node:http.request', sendWithNodeHttp, 'http://hooks.example.com'],
  ])(
    'captures %s calls into deliveries, answered by the script [500, 200]',
    async (_, send, at) => {
      hooks = interceptWebhooks({ origin: at, respond: [500, 200] })
      const statuses = await send(`${at}/webhooks/orders?tenant=t1`)
      expect(statuses).toEqual([500, 200])
      const deliveries = await hooks.waitFor({ count: 2, timeout: 2000 })
      expect(deliveries.map((d) => [d.attempt, d.response.status])).toEqual([
        [1, 500],
        [2, 200],
      ])
      for (const d of deliveries) {
        expect(d).toMatchObject({
          method: 'POST',
          path: '/webhooks/orders',
          query: { tenant: 't1' },
        })
        expect(d.header('host')).toBe('hooks.example.com')
        expect(d.json()).toEqual(event)
        expect(stripe.verify({ headers: d.headers, body: d.rawBody, secret }).ok).toBe(true)
      }
      await expectWebhook(hooks)
        .toArrive({ times: 2 })
        .withValidSignature({ scheme: 'stripe', secret })
      await expect(
        expectWebhook(hooks)
          .toArrive({ times: 2, within: 100 })
          .withValidSignature({ scheme: 'stripe', secret: 'whsec_other' }),
      ).rejects.toThrow()
    },
  )

  it('lets requests to a local receiver through, and captures them with includeLocal', async () => {
    const ep = receiver.endpoint()
    hooks = interceptWebhooks({ origin: [origin, new URL(ep.url).origin] })
    expect(await sendWithFetch(ep.url)).toEqual([200])
    expect(await sendWithUndici(ep.url)).toEqual([200])
    expect(await sendWithNodeHttp(ep.url)).toEqual([200])
    expect(ep.deliveries).toHaveLength(3)
    expect(hooks.deliveries).toHaveLength(0)
    await hooks.close()

    hooks = interceptWebhooks({
      match: (url) => url.pathname === ep.path,
      includeLocal: true,
      respond: 202,
    })
    expect(await sendWithFetch(ep.url)).toEqual([202])
    expect(await sendWithUndici(ep.url)).toEqual([202])
    expect(await sendWithNodeHttp(ep.url)).toEqual([202])
    expect(hooks.deliveries).toHaveLength(3)
    expect(ep.deliveries).toHaveLength(3)
  })

  it('close() stops the capture and puts the global dispatcher back', async () => {
    const ep = receiver.endpoint()
    const before = getGlobalDispatcher()
    hooks = interceptWebhooks({ match: (url) => url.pathname === ep.path, includeLocal: true })
    expect(getGlobalDispatcher()).not.toBe(before)
    await sendWithUndici(ep.url)
    await hooks.restore()
    expect(getGlobalDispatcher()).toBe(before)
    expect(await sendWithFetch(ep.url)).toEqual([200])
    expect(await sendWithUndici(ep.url)).toEqual([200])
    expect(ep.deliveries).toHaveLength(2)
    expect(hooks.deliveries).toHaveLength(1)
    await expect(hooks.waitFor({ count: 5 })).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
  })

  it('plays reset, hang and delayed steps of the script', async () => {
    hooks = interceptWebhooks({
      origin,
      respond: ['reset', 'hang', { status: 201, delayMs: 30, body: { ok: true } }],
    })
    await expect(fetch(`${origin}/a`, { method: 'POST', body: '{}' })).rejects.toThrow()
    await expect(
      undiciRequest(`${origin}/a`, {
        method: 'POST',
        body: '{}',
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow()
    const res = await fetch(`${origin}/a`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ ok: true })
    expect(hooks.deliveries.map((d) => d.response.action)).toEqual(['reset', 'hang', 'respond'])
    hooks.clear()
    expect(hooks.deliveries).toHaveLength(0)
  })

  it("captures undici bodies of every kind, and undici's retry interceptor retries against the script", async () => {
    hooks = interceptWebhooks({ origin, respond: [503, 200] })
    const retrying = getGlobalDispatcher().compose(
      interceptors.retry({ maxRetries: 2, minTimeout: 10, methods: ['POST'], statusCodes: [503] }),
    )
    const res = await undiciRequest(`${origin}/retry`, {
      method: 'POST',
      body: Buffer.from('{"n":1}'),
      headers: ['content-type', 'application/json', 'x-team', 'a'],
      dispatcher: retrying,
    })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    const [first, second] = await hooks.waitFor({ count: 2 })
    expect([first!.response.status, second!.response.status]).toEqual([503, 200])
    expect(second!.text()).toBe('{"n":1}')
    expect(second!.header('x-team')).toBe('a')

    hooks.clear()
    const streamed = await undiciRequest(`${origin}/stream`, {
      method: 'POST',
      body: Readable.from([Buffer.from('{"a":'), '1}']),
    })
    await streamed.body.dump()
    const form = await undiciRequest(`${origin}/form`, {
      method: 'POST',
      body: new URLSearchParams({ From: '+15550100' }) as never,
    })
    await form.body.dump()
    expect(hooks.deliveries.map((d) => d.text())).toEqual(['{"a":1}', 'From=%2B15550100'])
  })

  it('checks its options, naming the one that is wrong', () => {
    expect(() => interceptWebhooks({})).toThrow(/`origin`/)
    expect(() => interceptWebhooks({ origin: 'not a url' })).toThrow(/`origin`/)
    expect(() => interceptWebhooks({ origin: [] })).toThrow(/`origin`/)
    expect(() => interceptWebhooks({ origin, respond: [99] })).toThrow(/`respond\[0\]`/)
    expect(() => interceptWebhooks({ origin, bogus: 1 } as never)).toThrow(/bogus/)
    expect(() => interceptWebhooks({ match: 'x' as never })).toThrow(/`match`/)
  })
})
