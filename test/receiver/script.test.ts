import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createReceiver, createResponder, type Receiver } from '../../src/index.js'

let receiver: Receiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

describe('createResponder', () => {
  it('answers attempt N with step N and repeats the last step', () => {
    const respond = createResponder([500, { status: 503, retryAfter: 2 }, 'reset', 200])
    expect(respond(1)).toMatchObject({ status: 500, action: 'respond', delayMs: 0 })
    expect(respond(2)).toMatchObject({ status: 503, headers: { 'retry-after': '2' } })
    expect(respond(3)).toMatchObject({ action: 'reset' })
    expect(respond(4)).toMatchObject({ status: 200 })
    expect(respond(50)).toMatchObject({ status: 200 })
    expect(createResponder(undefined)(1)).toMatchObject({ status: 200, action: 'respond' })
    expect(createResponder('hang')(7)).toMatchObject({ action: 'hang' })
  })

  it('resolves bodies, headers, HTTP-date Retry-After and actions with delays', () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT'
    const [json, text, bytes, later] = [
      createResponder({ body: { ok: true } })(1),
      createResponder({ status: 201, body: 'hi', headers: { 'X-Id': '7' } })(1),
      createResponder({ body: new Uint8Array([1, 2]) })(1),
      createResponder({ delayMs: 50, action: 'reset', retryAfter: date })(1),
    ]
    expect(json.headers['content-type']).toBe('application/json')
    expect(Buffer.from(json.body).toString()).toBe('{"ok":true}')
    expect(text).toMatchObject({ status: 201, headers: { 'x-id': '7' } })
    expect(text.headers['content-type']).toMatch(/^text\/plain/)
    expect(bytes.headers['content-type']).toBe('application/octet-stream')
    expect(later).toMatchObject({ action: 'reset', delayMs: 50, headers: { 'retry-after': date } })
  })

  it.each([
    [[], /`respond`.*non-empty/],
    [[200, 99], /`respond\[1\]`.*200 to 599/],
    [[200, 'explode'], /`respond\[1\]`/],
    [{ status: 200, delay: 5 }, /unknown key "delay"/],
    [[{ delayMs: -1 }], /`respond\[0\]\.delayMs`/],
    [[200, { retryAfter: 'soon' }], /`respond\[1\]\.retryAfter`/],
    [[{ retryAfter: 1.5 }], /retryAfter/],
    [[{ action: 'explode' }], /`respond\[0\]\.action`/],
    [[{ action: 'reset', status: 500 }], /`respond\[0\]\.status`/],
    [[{ headers: { 'bad name': 'x' } }], /headers\["bad name"\]/],
    [[{ headers: { ok: 5 } }], /headers\["ok"\]/],
    [[{ headers: 'x' }], /`respond\[0\]\.headers`/],
    [[{ body: 5 }], /`respond\[0\]\.body`/],
    [[null], /`respond\[0\]`/],
  ])('refuses the bad script %j naming the step', (script, message) => {
    expect(() => createResponder(script as never)).toThrow(message)
  })
})

describe('endpoint response scripts', () => {
  it('answers a status list, one step per attempt, with Retry-After and bodies', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({
      respond: [500, { status: 503, retryAfter: 2 }, { status: 200, body: { received: true } }],
    })
    const answers = []
    for (let i = 0; i < 4; i++) {
      const res = await fetch(ep.url, { method: 'POST', body: `try ${i}` })
      answers.push([res.status, res.headers.get('retry-after'), await res.text()])
    }
    expect(answers).toEqual([
      [500, null, ''],
      [503, '2', ''],
      [200, null, '{"received":true}'],
      [200, null, '{"received":true}'],
    ])
    expect(ep.deliveries.map((d) => d.response.status)).toEqual([500, 503, 200, 200])
    expect(ep.deliveries[1]!.response.headers).toEqual({ 'retry-after': '2' })
  })

  it('holds an answer back for delayMs, recording the delivery before answering', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ respond: { delayMs: 150, status: 202 } })
    const started = performance.now()
    const pending = fetch(ep.url, { method: 'POST', body: 'slow' })
    // Recorded (and awaitable) as soon as the response is decided, before it is sent.
    const [d] = await ep.waitFor()
    expect(d!.response).toMatchObject({ status: 202, delayMs: 150 })
    const res = await pending
    expect(res.status).toBe(202)
    // Only a lower bound: the delay may not be skipped, however loaded the machine is.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('resets the socket: the client sees a socket error and the next attempt gets the next step', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ respond: ['reset', 200] })
    const failed = await request(ep.url, { method: 'POST', body: 'x' }).catch((e: Error) => e)
    expect(failed).toBeInstanceOf(Error)
    expect((failed as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|UND_ERR_SOCKET/)
    const ok = await request(ep.url, { method: 'POST', body: 'x' })
    expect(ok.statusCode).toBe(200)
    await ok.body.dump()
    expect(ep.deliveries.map((d) => d.response.action)).toEqual(['reset', 'respond'])
  })

  it('hangs until close(), which ends the request', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ respond: 'hang' })
    const pending = request(ep.url, { method: 'POST', body: 'x' }).catch((e: Error) => e)
    const [d] = await ep.waitFor()
    expect(d!.response.action).toBe('hang')
    await receiver.close()
    expect(await pending).toBeInstanceOf(Error)
  })

  it('answers a delayed request at close() instead of leaving it waiting', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ respond: { delayMs: 60_000, status: 204 } })
    const pending = fetch(ep.url, { method: 'POST', body: 'x' })
    await ep.waitFor()
    await receiver.close()
    expect((await pending).status).toBe(204)
  })

  it('a delayed reset resets after the delay', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ respond: { delayMs: 20, action: 'reset' } })
    const failed = await request(ep.url, { method: 'POST', body: 'x' }).catch((e: Error) => e)
    expect(failed).toBeInstanceOf(Error)
  })
})
