import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'
import { openSocket, readUntilClosed } from './raw.js'

// Small limits, so that nothing waits long; every assertion is on what the sender saw.
const open: Receiver[] = []
afterEach(async () => {
  for (const r of open.splice(0)) await r.close()
})
async function receiver(options: Parameters<typeof createReceiver>[0]) {
  const r = await createReceiver(options)
  open.push(r)
  return r
}

const statusLine = (text: string) => text.split('\r\n')[0]

describe('timeouts', () => {
  it('answers 408 and closes a connection that never finishes its headers (slowloris)', async () => {
    const r = await receiver({ headersTimeout: 150, requestTimeout: 5000 })
    const ep = r.endpoint()
    const socket = await openSocket(r.url)
    const seen = readUntilClosed(socket)
    socket.write(`POST ${ep.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n`)
    const outcome = await seen
    expect(statusLine(outcome.text)).toBe('HTTP/1.1 408 Request Timeout')
    expect(outcome.ended).toBe('end')
    expect(r.deliveries).toEqual([])
  })

  it('answers 408 to a connection that sends nothing', async () => {
    const r = await receiver({ headersTimeout: 150 })
    const outcome = await readUntilClosed(await openSocket(r.url))
    expect(statusLine(outcome.text)).toBe('HTTP/1.1 408 Request Timeout')
  })

  it('answers 408 to a body that does not arrive in time, and records it as request_timeout', async () => {
    const r = await receiver({ headersTimeout: 100, requestTimeout: 200 })
    const ep = r.endpoint()
    const socket = await openSocket(r.url)
    const seen = readUntilClosed(socket)
    socket.write(
      `POST ${ep.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"partial":`,
    )
    const outcome = await seen
    expect(statusLine(outcome.text)).toBe('HTTP/1.1 408 Request Timeout')
    const [delivery] = await ep.waitFor()
    expect(delivery).toMatchObject({ error: 'request_timeout', response: { status: 408 } })
    expect(delivery!.text()).toBe('{"partial":')
  })

  it('does not count a scripted hang or delay against requestTimeout', async () => {
    // The request itself must arrive within requestTimeout: 1 s leaves room on a loaded machine
    // (100 ms gave 408 under Stryker's load), and the 2.5 s delay still outlasts it.
    const r = await receiver({ headersTimeout: 1000, requestTimeout: 1000 })
    const ep = r.endpoint({ respond: { status: 202, delayMs: 2500 } })
    const res = await request(ep.url, { method: 'POST', body: '{}' })
    expect(res.statusCode).toBe(202)
    await res.body.dump()
  })

  it('closes a kept-alive connection once it has been idle for keepAliveTimeout', async () => {
    const r = await receiver({ keepAliveTimeout: 100 })
    const ep = r.endpoint()
    const socket = await openSocket(r.url)
    // Node's default (5 s) would outlast this deadline.
    const seen = readUntilClosed(socket, 4000)
    socket.write(`GET ${ep.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    const outcome = await seen
    expect(statusLine(outcome.text)).toBe('HTTP/1.1 200 OK')
    expect(outcome.ended).toBe('end')
  })

  it('checks the options, naming them', async () => {
    for (const [options, name] of [
      [{ headersTimeout: 0 }, 'headersTimeout'],
      [{ requestTimeout: 1.5 }, 'requestTimeout'],
      [{ keepAliveTimeout: -1 }, 'keepAliveTimeout'],
      [{ maxConnections: 0 }, 'maxConnections'],
      [{ headersTimeout: 2000, requestTimeout: 1000 }, 'headersTimeout'],
    ] as const) {
      await expect(createReceiver(options)).rejects.toMatchObject({
        code: 'HOOKWRIGHT_INVALID_OPTION',
        message: expect.stringContaining(name),
      })
    }
  })
})

describe('the limits as options', () => {
  it('take whole milliseconds from 1 to 2147483647, both inclusive, naming the option', async () => {
    for (const name of ['headersTimeout', 'requestTimeout', 'keepAliveTimeout'] as const) {
      for (const value of [0, 2 ** 31, 1.5, '100']) {
        // requestTimeout is given beside a small headersTimeout, which must not exceed it.
        const options =
          name === 'requestTimeout' ? { headersTimeout: 1, [name]: value } : { [name]: value }
        await expect(createReceiver(options as never)).rejects.toMatchObject({
          code: 'HOOKWRIGHT_INVALID_OPTION',
          message: expect.stringMatching(
            new RegExp(
              `^Invalid option \`${name}\`: expected an integer number of milliseconds from 1 to 2147483647, got `,
            ),
          ),
        })
      }
    }
    await receiver({ headersTimeout: 1, requestTimeout: 1, keepAliveTimeout: 1 })
    await receiver({
      headersTimeout: 2 ** 31 - 1,
      requestTimeout: 2 ** 31 - 1,
      keepAliveTimeout: 2 ** 31 - 1,
    })
  })

  it('let requestTimeout follow a headersTimeout longer than its 30 s default', async () => {
    // headersTimeout alone, past 30 s: the default requestTimeout grows to it.
    await receiver({ headersTimeout: 45_000 })
    await expect(
      createReceiver({ headersTimeout: 45_000, requestTimeout: 44_999 }),
    ).rejects.toThrow(
      'Invalid option `headersTimeout`: expected at most requestTimeout (44999 ms): the headers are part of the request, got 45000.',
    )
  })

  it('take maxConnections as a whole number of at least 1', async () => {
    for (const value of [0, -1, 1.5, Number.NaN, '5']) {
      await expect(createReceiver({ maxConnections: value as never })).rejects.toThrow(
        /^Invalid option `maxConnections`: expected an integer >= 1, got /,
      )
    }
    await receiver({ maxConnections: 1 })
  })
})

describe('the connection cap', () => {
  it('keeps serving good senders while idle connections pile up past maxConnections', async () => {
    const max = 20
    const r = await receiver({ maxConnections: max })
    const ep = r.endpoint()
    // 30 connections that send nothing, as a flood of idle sockets would.
    const idle = await Promise.all(Array.from({ length: 30 }, () => openSocket(r.url)))
    const outcomes = idle.map((s) => readUntilClosed(s))
    for (let i = 0; i < 5; i++) {
      const res = await request(ep.url, { method: 'POST', body: `{"n":${i}}` })
      expect(res.statusCode).toBe(200)
      await res.body.dump()
    }
    expect((await ep.waitFor({ count: 5 })).length).toBe(5)
    // The oldest idle connections made room, each with a 408.
    for (const s of idle) s.end()
    const evicted = (await Promise.all(outcomes)).filter((o) =>
      o.text.startsWith('HTTP/1.1 408 Request Timeout'),
    )
    expect(evicted.length).toBeGreaterThanOrEqual(30 - max)
  })

  it('holds maxConnections connections, inclusive, and closes the oldest idle one for the next', async () => {
    const r = await receiver({ maxConnections: 3 })
    const ep = r.endpoint()
    // Opened in this order, each accepted before the next (a request on it was answered).
    const sockets = []
    for (let i = 0; i < 3; i++) {
      const s = await openSocket(r.url)
      const answered = new Promise<string>((resolve) =>
        s.once('data', (c: Buffer) => resolve(c.toString('latin1'))),
      )
      s.write(`POST ${ep.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\n\r\n${i}`)
      expect(statusLine(await answered)).toBe('HTTP/1.1 200 OK')
      sockets.push(s)
    }
    // Three kept-alive idle connections is the cap, not past it: none was closed to make room.
    // A fourth is past it: the oldest idle one is answered 408 and closed; the newer stay.
    const outcomes = sockets.map((s) => readUntilClosed(s))
    const fourth = await openSocket(r.url)
    const first = await outcomes[0]!
    expect(statusLine(first.text)).toBe('HTTP/1.1 408 Request Timeout')
    expect(first.ended).toBe('end')
    for (const s of [...sockets, fourth]) s.end()
    const rest = await Promise.all(outcomes.slice(1))
    expect(rest.map((o) => o.text)).toEqual(['', ''])
    expect(ep.deliveries.map((d) => d.text())).toEqual(['0', '1', '2'])
  })

  it('answers 503 when every connection is carrying a request', async () => {
    const r = await receiver({ maxConnections: 3 })
    const hang = r.endpoint({ respond: 'hang' })
    const ep = r.endpoint()
    const hanging = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const s = await openSocket(r.url)
        s.write(`POST ${hang.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}`)
        return s
      }),
    )
    await hang.waitFor({ count: 3 })
    const res = await request(ep.url, { method: 'POST', body: '{}' })
    expect(res.statusCode).toBe(503)
    expect(res.headers).toMatchObject({
      'retry-after': '1',
      connection: 'close',
      'content-type': 'text/plain; charset=utf-8',
    })
    expect(await res.body.text()).toBe(
      'This receiver holds 3 connections, all busy (maxConnections). Retry later.',
    )
    for (const s of hanging) s.destroy()
    expect(ep.deliveries).toEqual([])
  })
})
