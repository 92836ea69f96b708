import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import Stripe from 'stripe'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createReceiver,
  HookwrightError,
  stripe,
  type Delivery,
  type Receiver,
  type ReceiverRoute,
} from '../../src/index.js'

let receiver: Receiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

async function start(options?: Parameters<typeof createReceiver>[0]): Promise<Receiver> {
  receiver = await createReceiver(options)
  return receiver
}

describe('createReceiver', () => {
  it('records a POST with its raw body, headers, query and attempt number', async () => {
    const r = await start()
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(r.url).toBe(`http://${r.host}:${r.port}`)
    const ep = r.endpoint()
    expect(ep.url).toBe(`${r.url}${ep.path}`)
    expect(ep.path).toMatch(/^\/h\/[\w-]+$/)
    const seen: Delivery[] = []
    r.on('delivery', (d) => seen.push(d))
    const res = await fetch(`${ep.url}?a=1&a=2&b=x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Event': 'invoice.paid' },
      body: '{"type":"invoice.paid"}',
    })
    expect(res.status).toBe(200)
    const [d] = await ep.waitFor()
    expect(d!.endpoint).toBe(ep.id)
    expect(d!.attempt).toBe(1)
    expect(d!.method).toBe('POST')
    expect(d!.path).toBe(ep.path)
    expect(d!.query).toEqual({ a: ['1', '2'], b: 'x' })
    expect(d!.headers['x-event']).toBe('invoice.paid')
    expect(d!.header('Content-Type')).toBe('application/json')
    expect(d!.json()).toEqual({ type: 'invoice.paid' })
    expect(d!.rawBody).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(d!.rawBody).toString()).toBe('{"type":"invoice.paid"}')
    expect(d!.response).toMatchObject({ status: 200, action: 'respond', delayMs: 0 })
    expect(d!.receivedAt).toBeGreaterThan(Date.now() - 60_000)
    expect(seen).toEqual([d])
    expect(r.deliveries).toEqual([d])
    expect(r.getEndpoint(ep.id)).toBe(ep)
  })

  it('keeps binary bodies byte-exact and repeated headers as lists', async () => {
    const r = await start()
    const ep = r.endpoint()
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256))
    const res = await request(ep.url, {
      method: 'PUT',
      headers: ['X-Dup', 'one', 'x-dup', 'two', 'X-Dup', 'three'],
      body,
    })
    await res.body.dump()
    const [d] = await ep.waitFor()
    expect(Buffer.compare(Buffer.from(d!.rawBody), body)).toBe(0)
    expect(d!.headers['x-dup']).toEqual(['one', 'two', 'three'])
    expect(d!.header('x-dup')).toBe('one, two, three')
    expect(d!.method).toBe('PUT')
  })

  it('counts attempts per endpoint, and clear() restarts them', async () => {
    const r = await start()
    const a = r.endpoint()
    const b = r.endpoint({ name: 'b' })
    expect(a.id).not.toBe(b.id)
    for (const url of [a.url, b.url, a.url, a.url])
      await (await fetch(url, { method: 'POST' })).text()
    expect(a.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3])
    expect(b.deliveries.map((d) => d.attempt)).toEqual([1])
    expect(b.label).toContain('"b"')
    expect(r.deliveries.map((d) => d.endpoint)).toEqual([a.id, b.id, a.id, a.id])
    a.clear()
    expect(a.deliveries).toEqual([])
    await (await fetch(a.url, { method: 'POST' })).text()
    expect(a.deliveries.map((d) => d.attempt)).toEqual([1])
    r.clear()
    expect(r.deliveries).toEqual([])
    expect(b.deliveries).toEqual([])
  })

  it('reaches an endpoint under a sub-path of its URL', async () => {
    const r = await start()
    const ep = r.endpoint()
    const res = await fetch(`${ep.url}/stripe/events`, { method: 'POST', body: 'x' })
    expect(res.status).toBe(200)
    expect(ep.deliveries[0]!.path).toBe(`${ep.path}/stripe/events`)
  })

  it('records a request to an unknown path as a 404 with endpoint null', async () => {
    const r = await start()
    r.endpoint()
    const res = await fetch(`${r.url}/webhooks/stripe?x=1`, { method: 'POST', body: 'lost' })
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('/webhooks/stripe')
    await (await fetch(`${r.url}/webhooks/stripe`, { method: 'POST', body: 'lost again' })).text()
    const [first, second] = await r.waitFor({ count: 2 })
    expect(first).toMatchObject({
      endpoint: null,
      path: '/webhooks/stripe',
      query: { x: '1' },
      attempt: 1,
      response: { status: 404 },
    })
    expect(first!.text()).toBe('lost')
    expect(second!.attempt).toBe(2)
  })

  it('answers 404 on a closed endpoint path and rejects its pending waitFor', async () => {
    const r = await start()
    const ep = r.endpoint()
    const waiting = ep.waitFor({ timeout: 10_000 })
    await ep.close()
    await expect(waiting).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
    await ep.close()
    expect(r.getEndpoint(ep.id)).toBeUndefined()
    const res = await fetch(ep.url, { method: 'POST' })
    expect(res.status).toBe(404)
    expect(r.deliveries[0]).toMatchObject({ endpoint: null, path: ep.path })
    expect(ep.deliveries).toEqual([])
  })

  it('answers 405 with Allow for a method the endpoint does not take', async () => {
    const r = await start()
    const ep = r.endpoint({ methods: ['post', 'PUT'] })
    const res = await fetch(ep.url)
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST, PUT')
    expect((await fetch(ep.url, { method: 'PUT', body: 'ok' })).status).toBe(200)
    expect(ep.deliveries.map((d) => [d.method, d.response.status])).toEqual([
      ['GET', 405],
      ['PUT', 200],
    ])
    expect(ep.deliveries[0]!.response.headers.allow).toBe('POST, PUT')
  })

  it('answers 413 past maxBodyBytes and records the bytes up to the limit', async () => {
    const r = await start()
    const ep = r.endpoint({ maxBodyBytes: 1000 })
    const body = Buffer.alloc(5000, 'a')
    const res = await request(ep.url, { method: 'POST', body }).catch((e: Error) => e)
    // The answer is a 413, or the socket closes under a client still writing: either is clean.
    if (!(res instanceof Error)) {
      expect(res.statusCode).toBe(413)
      await res.body.dump()
    }
    const [d] = await ep.waitFor()
    expect(d!.error).toBe('body_too_large')
    expect(d!.response.status).toBe(413)
    expect(d!.rawBody.byteLength).toBe(1000)
    // A body right at the limit is fine.
    const ok = await request(ep.url, { method: 'POST', body: Buffer.alloc(1000, 'b') })
    expect(ok.statusCode).toBe(200)
    await ok.body.dump()
  })

  it('checks signatures: 401 with the reason recorded, success recorded too', async () => {
    const r = await start()
    const secret = 'whsec_receiver_test'
    const ep = r.endpoint({ verify: { scheme: 'stripe', secret }, respond: 202 })
    const payload = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' }, null, 2)
    // Signed by the official library: the receiver must accept it.
    const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret })
    const good = await fetch(ep.url, {
      method: 'POST',
      headers: { 'stripe-signature': header },
      body: payload,
    })
    expect(good.status).toBe(202)
    const signed = stripe.sign({ payload: { id: 'evt_2' }, secret: 'whsec_wrong' })
    const bad = await fetch(ep.url, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body as string,
    })
    expect(bad.status).toBe(401)
    expect(await bad.json()).toMatchObject({ error: 'bad_signature' })
    const missing = await fetch(ep.url, { method: 'POST', body: payload })
    expect(missing.status).toBe(401)
    const [ok, wrong, none] = await ep.waitFor({ count: 3 })
    expect(ok!.verification).toMatchObject({ ok: true, scheme: 'stripe', secretIndex: 0 })
    // A verified delivery keeps the header object it was verified with (and no second copy).
    expect(ok!.header('stripe-signature')).toBe(header)
    expect(ok!.headers['content-type']).toBe('text/plain;charset=UTF-8')
    expect(wrong!.verification).toMatchObject({ ok: false, reason: 'bad_signature' })
    expect(wrong!.response.status).toBe(401)
    expect(none!.verification).toMatchObject({ ok: false, reason: 'missing_header' })
    // The secret never shows in what is recorded or answered.
    expect(JSON.stringify(ep.deliveries)).not.toContain(secret)
  })

  it('passes the full request URL and the rotation secrets to the scheme', async () => {
    const r = await start()
    const seen: string[] = []
    const scheme = {
      ...stripe,
      name: 'spy',
      verify(options: Parameters<typeof stripe.verify>[0]) {
        seen.push(options.url!)
        return stripe.verify(options)
      },
    }
    const ep = r.endpoint({ verify: { scheme, secrets: ['whsec_a', 'whsec_b'], tolerance: 10 } })
    const signed = stripe.sign({ payload: 'x', secret: 'whsec_b' })
    const res = await fetch(`${ep.url}?q=1`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body as string,
    })
    expect(res.status).toBe(200)
    expect(seen).toEqual([`${ep.url}?q=1`])
    expect(ep.deliveries[0]!.verification).toMatchObject({ ok: true, secretIndex: 1 })
  })

  it('answers 500 and records the error when a custom scheme throws instead of failing', async () => {
    const r = await start()
    const scheme = {
      ...stripe,
      name: 'broken',
      verify(): never {
        throw new Error('scheme bug')
      },
    }
    const ep = r.endpoint({ verify: { scheme, secret: 'whsec_x' } })
    const res = await fetch(ep.url, { method: 'POST', body: 'x' })
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('The signature check failed to run.')
    expect(ep.deliveries[0]).toMatchObject({ error: 'verify_threw: scheme bug' })
    expect(ep.deliveries[0]!.verification).toBeUndefined()
  })

  it('stops calling a listener after off()', async () => {
    const r = await start()
    const ep = r.endpoint()
    const seen: string[] = []
    const listener = (d: Delivery): void => {
      seen.push(d.text())
    }
    r.on('delivery', listener)
    await (await fetch(ep.url, { method: 'POST', body: 'one' })).text()
    r.off('delivery', listener)
    await (await fetch(ep.url, { method: 'POST', body: 'two' })).text()
    expect(seen).toEqual(['one'])
    expect(() => r.off('arrival' as never, listener)).toThrow(HookwrightError)
  })

  it('accepts an absolute-form request target, as a proxy sends it', async () => {
    const r = await start()
    const ep = r.endpoint()
    const { rawExchange } = await import('./raw.js')
    const outcome = await rawExchange(
      r.url,
      `POST ${ep.url}?via=proxy HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
    )
    expect(outcome.text).toMatch(/^HTTP\/1\.1 200/)
    expect(ep.deliveries[0]).toMatchObject({ path: ep.path, query: { via: 'proxy' } })
  })

  it('decodes gzip, deflate and br bodies for text()/json() while rawBody keeps the wire bytes', async () => {
    const r = await start()
    const ep = r.endpoint()
    const json = JSON.stringify({ type: 'invoice.paid', n: 'x'.repeat(500) })
    const encoded: Array<[string, Buffer]> = [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
    ]
    for (const [encoding, body] of encoded) {
      const res = await request(ep.url, {
        method: 'POST',
        headers: { 'content-encoding': encoding, 'content-type': 'application/json' },
        body,
      })
      await res.body.dump()
    }
    const got = await ep.waitFor({ count: 3 })
    got.forEach((d, i) => {
      expect(Buffer.compare(Buffer.from(d.rawBody), encoded[i]![1])).toBe(0)
      expect(d.json()).toMatchObject({ type: 'invoice.paid' })
    })
  })

  it('hands requests under a route prefix to the route without recording them', async () => {
    const closed: string[] = []
    const route: ReceiverRoute = {
      prefix: '/custom/',
      handle(req, res, recv) {
        res.end(`${req.url} ${recv.deliveries.length}`)
      },
      close() {
        closed.push('custom')
      },
    }
    const failing: ReceiverRoute = {
      prefix: '/fails/',
      async handle() {
        throw new Error('boom')
      },
    }
    const r = await start({ routes: [route, failing], control: true })
    expect(await (await fetch(`${r.url}/custom/x`)).text()).toBe('/custom/x 0')
    expect((await fetch(`${r.url}/fails/y`)).status).toBe(500)
    // control: true mounts the control API under /_hookwright/: its requests are not deliveries.
    await (await fetch(`${r.url}/_hookwright/deliveries`)).text()
    expect(r.deliveries).toEqual([])
    await r.close()
    expect(closed).toEqual(['custom'])
  })

  it('rejects misuse with HookwrightError naming the option', async () => {
    await expect(createReceiver({ port: -1 })).rejects.toThrow(/`port`/)
    await expect(createReceiver({ maxDeliveries: 0 })).rejects.toThrow(/`maxDeliveries`/)
    await expect(createReceiver({ bogus: 1 } as never)).rejects.toThrow(/bogus/)
    await expect(
      createReceiver({ routes: [{ prefix: 'nope', handle() {} }] }),
    ).rejects.toMatchObject({ code: 'HOOKWRIGHT_INVALID_OPTION' })
    const r = await start()
    expect(() => r.endpoint({ verify: { scheme: 'nope' as never, secret: 'x' } })).toThrow(
      expect.objectContaining({ code: 'HOOKWRIGHT_UNKNOWN_SCHEME' }),
    )
    expect(() => r.endpoint({ verify: { scheme: 'stripe' } })).toThrow(
      expect.objectContaining({ code: 'HOOKWRIGHT_MISSING_SECRET' }),
    )
    expect(() => r.endpoint({ verify: { scheme: 'stripe', secret: 5 as never } })).not.toThrow(/5/)
    expect(() => r.endpoint({ methods: [] })).toThrow(/`methods`/)
    expect(() => r.endpoint({ maxBodyBytes: 1.5 })).toThrow(/`maxBodyBytes`/)
    expect(() => r.endpoint({ respond: [200, 'bogus' as never] })).toThrow(/respond\[1\]/)
    expect(() => r.endpoint({ colour: 'red' } as never)).toThrow(/colour/)
    expect(() => r.on('arrival' as never, () => {})).toThrow(HookwrightError)
    await r.close()
    expect(() => r.endpoint()).toThrow(HookwrightError)
  })

  it('reports the port in use as the listen error', async () => {
    const r = await start()
    await expect(createReceiver({ port: r.port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })
})
