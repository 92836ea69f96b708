// How the receiver reads a request's target and body and hands it on: the query of a plain and
// of an absolute-form target, paths outside /h/, a body over the limit sent in many chunks, a
// route handler that answers later, and the `save` option. Found by mutation testing of
// src/receiver/{read,routing,options,answer}.ts (docs/testing.md).
import { describe, expect, it } from 'vitest'
import { type Delivery } from '../../src/index.js'
import { resolveReceiverOptions } from '../../src/receiver/options.js'
import { rawExchange } from './raw.js'
import { send, start } from './started.js'

/** A chunked request whose body arrives as `chunks` separate HTTP chunks in one TCP write. */
function chunkedRequest(url: string, chunks: string[]): string {
  const { host, pathname } = new URL(url)
  const body = chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')
  return (
    `POST ${pathname} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
    `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}0\r\n\r\n`
  )
}

describe('the request target', () => {
  it('a target without a query string records an empty query', async () => {
    const r = await start()
    const ep = r.endpoint()
    expect((await send(`${ep.url}`, { body: '{}' })).status).toBe(200)
    const [d] = await ep.waitFor()
    expect(d!.path).toBe(`/h/${ep.id}`)
    expect(d!.query).toEqual({})
  })

  it('an absolute-form target (as proxies send) reaches its endpoint, query and all', async () => {
    const r = await start()
    const ep = r.endpoint()
    const target = `${ep.url}?a=1&a=2&b=x%20y`
    const out = await rawExchange(
      r.url,
      `POST ${target} HTTP/1.1\r\nHost: ${new URL(r.url).host}\r\nContent-Length: 2\r\n` +
        'Connection: close\r\n\r\n{}',
    )
    expect(out.text).toMatch(/^HTTP\/1\.1 200 /)
    const [d] = await ep.waitFor()
    expect(d!.path).toBe(`/h/${ep.id}`)
    expect(d!.query).toEqual({ a: ['1', '2'], b: 'x y' })
    expect(d!.text()).toBe('{}')
  })

  it("an endpoint's id under another prefix than /h/ is an unknown path, not that endpoint", async () => {
    const r = await start()
    const ep = r.endpoint()
    const res = await send(`${r.url}/x/${ep.id}`, { body: '{}' })
    expect(res.status).toBe(404)
    expect(res.text).toBe(`No hookwright endpoint at /x/${ep.id}.`)
    const [d] = await r.waitFor()
    expect(d).toMatchObject({ endpoint: null, path: `/x/${ep.id}` })
    expect(ep.deliveries).toHaveLength(0)
  })
})

describe('a body over the limit, sent in many chunks', () => {
  it('is cut at the limit, answered 413 once and recorded once', async () => {
    const r = await start()
    const ep = r.endpoint({ maxBodyBytes: 15 })
    // Ten 10-byte chunks in one write: node:http hands them over one 'data' event each, all in
    // the same turn, so the chunks after the limit arrive after the body was settled.
    const chunks = Array.from({ length: 10 }, (_, i) => String(i).repeat(10))
    const out = await rawExchange(ep.url, chunkedRequest(ep.url, chunks))
    expect(out.text.match(/HTTP\/1\.1 /g)).toHaveLength(1)
    expect(out.text).toMatch(/^HTTP\/1\.1 413 /)
    expect(out.text).toContain('Body over the 15-byte limit.')
    // A second request, on its own connection, recorded after the first: nothing came between.
    expect((await send(`${r.url}/after`, { body: '{}' })).status).toBe(404)
    await r.waitFor({ count: 2 })
    expect(r.deliveries.map((d) => d.path)).toEqual([`/h/${ep.id}`, '/after'])
    expect(ep.deliveries).toHaveLength(1)
    const [d] = ep.deliveries
    expect(d!.error).toBe('body_too_large')
    expect(d!.text()).toBe('000000000011111')
  })

  it('a body that ends exactly at the limit, in chunks, is taken whole', async () => {
    const r = await start()
    const ep = r.endpoint({ maxBodyBytes: 30 })
    const out = await rawExchange(
      ep.url,
      chunkedRequest(ep.url, ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)]),
    )
    expect(out.text).toMatch(/^HTTP\/1\.1 200 /)
    const [d] = await ep.waitFor()
    expect(d!.error).toBeUndefined()
    expect(d!.text()).toBe(`${'a'.repeat(10)}${'b'.repeat(10)}${'c'.repeat(10)}`)
  })
})

describe('routes', () => {
  it('a handler that answers at once and returns the response keeps the connection', async () => {
    const r = await start({
      // What `(req, res) => res.end(…)` returns in JavaScript: the response, not a promise.
      routes: [{ prefix: '/sync/', handle: (_req, res) => res.end('at once') as unknown as void }],
    })
    const host = new URL(r.url).host
    // Two requests on one connection: the first answer must not cost the second its socket.
    const out = await rawExchange(
      r.url,
      `GET /sync/1 HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
        `GET /sync/2 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    )
    expect(out.text.match(/HTTP\/1\.1 200 /g)).toHaveLength(2)
    expect(out.text.match(/at once/g)).toHaveLength(2)
  })

  it('a handler that returns nothing and answers later is not answered 500 meanwhile', async () => {
    const r = await start({
      routes: [
        {
          prefix: '/later/',
          handle: (_req, res) => {
            setImmediate(() => res.end('answered later'))
          },
        },
      ],
    })
    const res = await send(`${r.url}/later/x`, { body: '' })
    expect([res.status, res.text]).toEqual([200, 'answered later'])
  })
})

describe('save', () => {
  it('gets each delivery before it is answered', async () => {
    const saved: Delivery[] = []
    let answeredWhenSaved = 0
    const r = await start({ save: (d) => void saved.push(d) })
    const ep = r.endpoint()
    const res = await send(ep.url, { body: '{"n":1}' })
    answeredWhenSaved = saved.length
    expect(res.status).toBe(200)
    expect(answeredWhenSaved).toBe(1)
    const [d] = await ep.waitFor()
    expect(saved[0]).toBe(d)
  })

  it('a save that throws: 503 with Retry-After, recorded as save_failed', async () => {
    const r = await start({
      save: () => {
        throw new Error('disk full')
      },
    })
    const ep = r.endpoint()
    const res = await send(ep.url, { body: '{"n":1}' })
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('1')
    expect(res.headers['content-type']).toBe('application/json')
    expect(JSON.parse(res.text)).toEqual({
      error: 'save_failed',
      message: 'The delivery could not be saved.',
    })
    const [d] = await ep.waitFor()
    expect(d!.error).toBe('save_failed')
    expect(d!.response.status).toBe(503)
    expect(d!.text()).toBe('{"n":1}')
  })
})

describe('resolveReceiverOptions', () => {
  it('takes port 65535, the highest, and refuses 65536', () => {
    expect(resolveReceiverOptions({ port: 65535 }).port).toBe(65535)
    expect(() => resolveReceiverOptions({ port: 65536 })).toThrow(/`port`/)
  })
})
