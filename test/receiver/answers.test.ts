// What the receiver answers and records on its own (404, 405, 413, 401, a timed-out body),
// byte for byte; how it counts attempts at unknown paths, and that the count is bounded; the URL
// a URL-signing scheme is verified against; what a closed receiver says. Found by mutation
// testing of src/receiver/answer.ts and server.ts (docs/testing.md).
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { HookwrightError, stripe, twilio } from '../../src/index.js'
import { rawExchange } from './raw.js'
import { send, start } from './started.js'

const TEXT = 'text/plain; charset=utf-8'

describe("the receiver's own answers", () => {
  it('404 for an unknown path: plain text naming the path', async () => {
    const r = await start()
    const res = await send(`${r.url}/nowhere`, { body: '{}' })
    expect(res).toMatchObject({ status: 404, text: 'No hookwright endpoint at /nowhere.' })
    expect(res.headers['content-type']).toBe(TEXT)
    const [d] = await r.waitFor()
    expect(d!.response).toEqual({
      status: 404,
      headers: { 'content-type': TEXT },
      delayMs: 0,
      action: 'respond',
    })
  })

  it('405 for a method the endpoint does not take: plain text and Allow', async () => {
    const r = await start()
    const ep = r.endpoint({ methods: ['POST'] })
    const res = await send(ep.url, { method: 'PUT', body: '{}' })
    expect(res).toMatchObject({ status: 405, text: 'PUT is not allowed here.' })
    expect(res.headers['content-type']).toBe(TEXT)
    expect(res.headers.allow).toBe('POST')
  })

  it('413 for a body over the limit of an unknown path (the 10 MiB default), and closes', async () => {
    const r = await start()
    const body = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)
    const res = await send(`${r.url}/nowhere`, { body }).catch((error: Error) => error)
    // The answer is a 413, or the socket closes under a client still writing: either is clean.
    if (!(res instanceof Error)) {
      expect(res).toMatchObject({ status: 413, text: 'Body over the 10485760-byte limit.' })
      expect(res.headers['content-type']).toBe(TEXT)
      expect(res.headers.connection).toBe('close')
    }
    const [d] = await r.waitFor()
    expect(d).toMatchObject({ endpoint: null, error: 'body_too_large' })
    expect(d!.response).toEqual({
      status: 413,
      headers: { 'content-type': TEXT, connection: 'close' },
      delayMs: 0,
      action: 'respond',
    })
    expect(d!.rawBody.byteLength).toBe(10 * 1024 * 1024)
  })

  it('401 for a bad signature: JSON with the reason and the message', async () => {
    const r = await start()
    const ep = r.endpoint({ verify: { scheme: 'stripe', secret: 'whsec_a' } })
    const signed = stripe.sign({ payload: { id: 'evt_1' }, secret: 'whsec_b' })
    const res = await send(ep.url, { headers: signed.headers, body: signed.body })
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toBe('application/json')
    const [d] = await ep.waitFor()
    expect(JSON.parse(res.text)).toEqual({
      error: 'bad_signature',
      message: (d!.verification as { message: string }).message,
    })
  })

  it('a body that runs out of time is recorded with the 408 node:http sent', async () => {
    const r = await start({ headersTimeout: 200, requestTimeout: 300 })
    const ep = r.endpoint()
    const { host, pathname } = new URL(ep.url)
    const out = await rawExchange(
      ep.url,
      `POST ${pathname} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 10\r\n\r\nabc`,
    )
    expect(out.text).toMatch(/^HTTP\/1\.1 408 /)
    const [d] = await ep.waitFor()
    expect(d!.error).toBe('request_timeout')
    expect(d!.response).toEqual({
      status: 408,
      headers: { connection: 'close' },
      delayMs: 0,
      action: 'respond',
    })
  })

  it('a scripted body goes out byte for byte, bytes that are not UTF-8 too', async () => {
    const r = await start()
    const bytes = Buffer.from([0x00, 0x7f, 0x80, 0xc3, 0xa9, 0xff, 0xfe])
    const ep = r.endpoint({ respond: { status: 200, body: bytes } })
    const res = await request(ep.url, { method: 'POST', body: '{}' })
    expect(Buffer.from(await res.body.arrayBuffer())).toEqual(bytes)
  })

  it("'reset' resets the connection (RST): the sender sees ECONNRESET, not a clean close", async () => {
    const r = await start()
    const ep = r.endpoint({ respond: 'reset' })
    const { host, pathname } = new URL(ep.url)
    const out = await rawExchange(
      ep.url,
      `POST ${pathname} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\n\r\n{}`,
    )
    expect(out).toEqual({ text: '', ended: 'ECONNRESET' })
  })
})

describe('attempts at unknown paths', () => {
  it('are counted per path', async () => {
    const r = await start()
    for (const path of ['/a', '/b', '/a', '/a']) await send(`${r.url}${path}`)
    expect(r.deliveries.map((d) => `${d.path}#${d.attempt}`)).toEqual([
      '/a#1',
      '/b#1',
      '/a#2',
      '/a#3',
    ])
  })

  it('are counted for 10,000 paths at most: then counting starts again', async () => {
    const r = await start()
    const attempts: number[] = []
    r.on('delivery', (d) => {
      if (d.path === '/first') attempts.push(d.attempt)
    })
    const host = new URL(r.url).host
    const head = (path: string, last = false) =>
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n${last ? 'Connection: close\r\n' : ''}\r\n`
    // One connection, pipelined: /first, 9,999 other paths (10,000 counted), then /first again.
    const requests = [head('/first')]
    for (let i = 1; i < 10_000; i++) requests.push(head(`/p${i}`))
    requests.push(head('/first', true))
    const out = await rawExchange(r.url, requests.join(''))
    expect(out.text.match(/HTTP\/1\.1 404 /g)).toHaveLength(10_001)
    expect(attempts).toEqual([1, 1])
  })
})

describe('the URL a URL-signing scheme is verified against', () => {
  const secret = 'twilio-auth-token'
  const fields = 'To=%2B15550001&Body=hi'

  it('without a Host header (HTTP/1.0): the receiver’s own address', async () => {
    const r = await start()
    const ep = r.endpoint({ verify: { scheme: 'twilio', secret } })
    const signed = twilio.sign({ payload: fields, secret, url: ep.url })
    const out = await rawExchange(
      ep.url,
      `POST ${ep.path} HTTP/1.0\r\nX-Twilio-Signature: ${signed.headers['X-Twilio-Signature'] ?? signed.headers['x-twilio-signature']}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${fields.length}\r\n\r\n${fields}`,
    )
    expect(out.text).toMatch(/^HTTP\/1\.1 200 /)
    const [d] = await ep.waitFor()
    expect(d!.verification).toMatchObject({ ok: true })
  })

  it('an absolute-form target: that URL itself', async () => {
    const r = await start()
    const ep = r.endpoint({ verify: { scheme: 'twilio', secret } })
    const url = `${ep.url}?x=1`
    const signed = twilio.sign({ payload: fields, secret, url })
    const out = await rawExchange(
      ep.url,
      `POST ${url} HTTP/1.1\r\nHost: elsewhere.example\r\nX-Twilio-Signature: ${signed.headers['X-Twilio-Signature'] ?? signed.headers['x-twilio-signature']}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${fields.length}\r\nConnection: close\r\n\r\n${fields}`,
    )
    expect(out.text).toMatch(/^HTTP\/1\.1 200 /)
  })
})

describe('the budget counts each request head', () => {
  it('as 512 bytes, the target and every header name and value: exactly', async () => {
    const target = `/nowhere?q=${'x'.repeat(2000)}`
    const rawHead = `POST ${target} HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`
    const cost =
      512 + target.length + 'Hosth'.length + 'Content-Length0'.length + 'Connectionclose'.length
    const fits = await start({ maxBytes: cost })
    expect((await rawExchange(fits.url, rawHead)).text).toMatch(/^HTTP\/1\.1 404 /)
    await fits.close()
    const over = await start({ maxBytes: cost - 1 })
    expect((await rawExchange(over.url, rawHead)).text).toMatch(/^HTTP\/1\.1 413 /)
  })
})

describe('the receiver itself', () => {
  it('bound to an IPv6 address, puts it in brackets in its URL', async () => {
    const r = await start({ host: '::1' })
    expect(r.url).toBe(`http://[::1]:${r.port}`)
    expect(r.label).toBe(`receiver http://[::1]:${r.port}`)
    const ep = r.endpoint()
    expect(ep.url).toBe(`http://[::1]:${r.port}/h/${ep.id}`)
    expect((await send(ep.url, { body: '{}' })).status).toBe(200)
  })

  it('names itself in its label, and says so once closed', async () => {
    const r = await start()
    expect(r.label).toBe(`receiver ${r.url}`)
    const ep = r.endpoint()
    const waiting = ep.waitFor({ timeout: 60_000 })
    await r.close()
    await expect(waiting).rejects.toThrow(`receiver ${r.url} was closed.`)
    await expect(r.waitFor()).rejects.toThrow(`receiver ${r.url} was closed.`)
    expect(() => r.endpoint()).toThrow(
      'Invalid option `endpoint()`: expected a receiver that is not closed, got "a closed receiver".',
    )
  })

  it('on and off take only "delivery", and say so', async () => {
    const r = await start()
    expect(() => r.on('arrival' as never, () => {})).toThrow(
      'Invalid option `on(event)`: expected "delivery", got "arrival".',
    )
    expect(() => r.off('arrival' as never, () => {})).toThrow(
      'Invalid option `off(event)`: expected "delivery", got "arrival".',
    )
    expect(() => r.on('arrival' as never, () => {})).toThrow(HookwrightError)
  })

  it("drops a closed endpoint's deliveries from its own store without a hitch", async () => {
    const r = await start({ maxDeliveries: 2 })
    const gone = r.endpoint()
    expect((await send(gone.url, { body: '1' })).status).toBe(200)
    await gone.close()
    const ep = r.endpoint()
    expect((await send(ep.url, { body: '2' })).status).toBe(200)
    expect((await send(ep.url, { body: '3' })).status).toBe(200)
    expect(r.deliveries.map((d) => d.text())).toEqual(['2', '3'])
    expect(r.dropped).toBe(1)
  })
})
