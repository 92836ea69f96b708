import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createReceiver, github, type Receiver } from '../../src/index.js'
import { openSocket, rawExchange, readUntilClosed } from './raw.js'

let receiver: Receiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

/** A well-behaved client, to show the receiver keeps serving others. */
async function servedMeanwhile(url: string): Promise<number> {
  const res = await request(url, { method: 'POST', body: 'still here' })
  await res.body.dump()
  return res.statusCode
}

describe('hostile input', () => {
  it('answers a malformed request line with 400 and closes, serving others meanwhile', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint()
    const outcome = await rawExchange(receiver.url, 'THIS IS NOT HTTP\r\n\r\n')
    expect(outcome.text).toMatch(/^HTTP\/1\.1 400/)
    expect(await servedMeanwhile(ep.url)).toBe(200)
    // It never reached the handler, so it is not a delivery.
    expect(receiver.deliveries).toHaveLength(1)
  })

  it('keeps all of 2,504 headers, so a signature header after 2,500 others still verifies', async () => {
    const secret = 'many-headers-secret'
    receiver = await createReceiver()
    const ep = receiver.endpoint({ verify: { scheme: 'github', secret } })
    const signed = github.sign({ payload: { zen: 'many' }, secret })
    const head = [`POST ${ep.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close']
    for (let i = 0; i < 2500; i++) head.push(`a${i}: b`)
    for (const [name, value] of Object.entries(signed.headers)) head.push(`${name}: ${value}`)
    const body = signed.body as string
    head.push(`content-length: ${Buffer.byteLength(body)}`)
    const outcome = await rawExchange(receiver.url, `${head.join('\r\n')}\r\n\r\n${body}`)
    expect(outcome.text).toMatch(/^HTTP\/1\.1 200/)
    const [d] = await ep.waitFor()
    expect(Object.keys(d!.headers)).toHaveLength(head.length - 1)
    expect(d!.verification).toMatchObject({ ok: true })
  })

  it('answers oversized headers with 431 (or closes) and keeps serving', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint()
    const huge = `X-Big: ${'a'.repeat(20 * 1024)}\r\n`
    const outcome = await rawExchange(
      receiver.url,
      `POST ${ep.path} HTTP/1.1\r\nHost: x\r\n${huge}Content-Length: 0\r\n\r\n`,
    )
    expect(outcome.ended).not.toBe('deadline')
    if (outcome.text) expect(outcome.text).toMatch(/^HTTP\/1\.1 431/)
    expect(await servedMeanwhile(ep.url)).toBe(200)
    expect(ep.deliveries.map((d) => d.text())).toEqual(['still here'])
  })

  it('answers a body over the limit with 413, records the bytes up to it, and closes', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ maxBodyBytes: 64 })
    const socket = await openSocket(receiver.url)
    const outcome = readUntilClosed(socket)
    socket.write(`POST ${ep.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`)
    socket.write('z'.repeat(100))
    const [d] = await ep.waitFor()
    expect(d).toMatchObject({ error: 'body_too_large', response: { status: 413 } })
    expect(d!.text()).toBe('z'.repeat(64))
    const { text, ended } = await outcome
    expect(text).toMatch(/^HTTP\/1\.1 413/)
    expect(text.toLowerCase()).toContain('connection: close')
    expect(ended).not.toBe('deadline')
    expect(await servedMeanwhile(ep.url)).toBe(200)
  })

  it('refuses a body one byte over maxBodyBytes, however it is split, keeping exactly the limit', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ maxBodyBytes: 10 })
    const socket = await openSocket(receiver.url)
    const outcome = readUntilClosed(socket)
    socket.write(`POST ${ep.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n`)
    socket.write('01234')
    socket.write('567890')
    const { text } = await outcome
    expect(text).toMatch(/^HTTP\/1\.1 413 /)
    expect(text.endsWith('\r\n\r\nBody over the 10-byte limit.')).toBe(true)
    const [d] = await ep.waitFor()
    expect(d).toMatchObject({ error: 'body_too_large', response: { status: 413 } })
    expect(d!.text()).toBe('0123456789')
  })

  it('with maxBodyBytes 0, takes only empty bodies', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ maxBodyBytes: 0 })
    const empty = await rawExchange(
      receiver.url,
      `POST ${ep.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    )
    expect(empty.text).toMatch(/^HTTP\/1\.1 200 /)
    const one = await rawExchange(
      receiver.url,
      `POST ${ep.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx`,
    )
    expect(one.text).toMatch(/^HTTP\/1\.1 413 /)
    expect(ep.deliveries.map((d) => [d.response.status, d.error, d.rawBody.byteLength])).toEqual([
      [200, undefined, 0],
      [413, 'body_too_large', 0],
    ])
  })

  it('records a client that stops mid-body as aborted with the bytes so far', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint()
    const socket = await openSocket(receiver.url)
    const closed = readUntilClosed(socket)
    // Expect: 100-continue makes the server say when the request has reached the handler.
    socket.write(
      `POST ${ep.path} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n`,
    )
    await new Promise<void>((resolve) => socket.once('data', () => resolve()))
    socket.write('first part')
    // The well-behaved client is served while the slow one is stuck mid-body.
    expect(await servedMeanwhile(ep.url)).toBe(200)
    const aborted = ep.waitFor({ match: (d) => d.error === 'aborted' })
    socket.destroy()
    await closed
    const [d] = await aborted
    expect(d!.text()).toBe('first part')
    expect(d!.response.status).toBe(0)
    expect(d!.attempt).toBe(2)
    expect(await servedMeanwhile(ep.url)).toBe(200)
  })

  it('cuts off a slow client that is still mid-body at close()', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint()
    const socket = await openSocket(receiver.url)
    const closed = readUntilClosed(socket)
    socket.write(
      `POST ${ep.path} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n`,
    )
    await new Promise<void>((resolve) => socket.once('data', () => resolve()))
    await receiver.close()
    expect((await closed).ended).not.toBe('deadline')
    expect(receiver.deliveries.map((d) => d.error)).toEqual(['aborted'])
  })
})
