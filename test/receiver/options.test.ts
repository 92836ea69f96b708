import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createReceiver, type Receiver, type ReceiverRoute } from '../../src/index.js'
import { rawExchange } from './raw.js'

// createReceiver's options are checked before a port is opened: each misuse names the option
// and what it takes. And how a request target finds its route or endpoint.
const open: Receiver[] = []
afterEach(async () => {
  for (const r of open.splice(0)) await r.close()
})
async function receiver(options: Parameters<typeof createReceiver>[0] = {}) {
  const r = await createReceiver(options)
  open.push(r)
  return r
}

const noop = () => {}

describe('createReceiver options', () => {
  it('refuses options that are not an object, and names an unknown key with the known ones', async () => {
    for (const options of [null, 'fast', 5]) {
      await expect(createReceiver(options as never)).rejects.toThrow(
        /^Invalid option `createReceiver\(options\)`: expected an object, got /,
      )
    }
    await expect(createReceiver({ maxBodyBytes: 5 } as never)).rejects.toThrow(
      'Invalid option `createReceiver({ maxBodyBytes })`: expected one of port, host, maxDeliveries, maxBytes, control, routes, tls, maxAgeMs, save, allowedHosts, headersTimeout, requestTimeout, keepAliveTimeout, maxConnections, got "maxBodyBytes".',
    )
  })

  it('takes a port from 0 to 65535 and a host that is a non-empty string', async () => {
    for (const port of [-1, 65536, 1.5, '80']) {
      await expect(createReceiver({ port: port as never })).rejects.toThrow(
        /^Invalid option `port`: expected an integer from 0 to 65535 \(0 picks a free port\), got /,
      )
    }
    for (const host of ['', 5]) {
      await expect(createReceiver({ host: host as never })).rejects.toThrow(
        /^Invalid option `host`: expected an interface address such as "127\.0\.0\.1", got /,
      )
    }
    const r = await receiver({ port: 0, host: '127.0.0.1' })
    expect(r.url).toBe(`http://127.0.0.1:${r.port}`)
    expect(r.host).toBe('127.0.0.1')
  })

  it('takes routes only with a "/name/" prefix outside /h/ and a handle function', async () => {
    for (const route of [
      null,
      'x',
      { prefix: 5, handle: noop },
      { prefix: 'x/', handle: noop },
      { prefix: '/x', handle: noop },
      { prefix: '/h/mine/', handle: noop },
      { prefix: '/x/' },
      { prefix: '/x/', handle: 'nope' },
    ]) {
      await expect(
        createReceiver({ routes: [{ prefix: '/ok/', handle: noop }, route as never] }),
      ).rejects.toThrow(
        /^Invalid option `routes\[1\]`: expected \{ prefix: "\/name\/", handle\(req, res, receiver\) \} with a prefix outside \/h\/, got /,
      )
    }
    const r = await receiver({
      routes: [{ prefix: '/', handle: (_req, res) => void res.end('root') }],
    })
    expect(await (await request(`${r.url}/anything`)).body.text()).toBe('root')
  })

  it('mounts the control API for control: true and for control options', async () => {
    const plain = await receiver()
    expect((await request(`${plain.url}/_hookwright/deliveries`)).statusCode).toBe(404)
    const on = await receiver({ control: true })
    expect((await request(`${on.url}/_hookwright/deliveries`)).statusCode).toBe(200)
    const withToken = await receiver({ control: { token: 'ctl-token-123' } })
    expect((await request(`${withToken.url}/_hookwright/deliveries`)).statusCode).toBe(401)
    const authorized = await request(`${withToken.url}/_hookwright/deliveries`, {
      headers: { authorization: 'Bearer ctl-token-123' },
    })
    expect(authorized.statusCode).toBe(200)
    await authorized.body.dump()
  })

  it('refuses a tls option without both PEMs, and a save that is not a function', async () => {
    for (const tls of [null, 'pem', { key: 'k' }, { cert: 'c' }, { key: 5, cert: 'c' }]) {
      await expect(createReceiver({ tls: tls as never })).rejects.toThrow(
        /^Invalid option `tls`: expected an object \{ key, cert \} of PEM strings or Buffers, got \(hidden\)\.$/,
      )
    }
    await expect(createReceiver({ save: 'file.jsonl' as never })).rejects.toThrow(
      'Invalid option `save`: expected a function (delivery) => void, got "file.jsonl".',
    )
  })
})

describe('request targets', () => {
  it('records "OPTIONS *" and other targets that are neither paths nor URLs as unknown paths', async () => {
    const r = await receiver()
    const outcome = await rawExchange(
      r.url,
      'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    )
    expect(outcome.text).toMatch(/^HTTP\/1\.1 404 /)
    expect(r.deliveries.map((d) => [d.method, d.path, d.endpoint])).toEqual([
      ['OPTIONS', '*', null],
    ])
  })

  it('splits the query at the first "?", and keeps the path of an absolute-form target', async () => {
    const r = await receiver()
    const ep = r.endpoint()
    await (await request(`${ep.url}/sub?a=1&b=x?y&a=2`, { method: 'POST', body: '' })).body.dump()
    const proxied = await rawExchange(
      r.url,
      `POST ${ep.url}/sub?via=proxy&q=1?2 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    )
    expect(proxied.text).toMatch(/^HTTP\/1\.1 200 /)
    expect(ep.deliveries.map((d) => [d.path, d.query])).toEqual([
      [`${ep.path}/sub`, { a: ['1', '2'], b: 'x?y' }],
      [`${ep.path}/sub`, { via: 'proxy', q: '1?2' }],
    ])
  })

  it('answers 404 for /h/ alone and for paths that only begin like /h/', async () => {
    const r = await receiver()
    r.endpoint()
    for (const path of ['/h/', '/h', '/hx/abc', '/h//x']) {
      const res = await request(`${r.url}${path}`, { method: 'POST', body: '' })
      expect([path, res.statusCode]).toEqual([path, 404])
      expect(await res.body.text()).toBe(`No hookwright endpoint at ${path}.`)
    }
  })

  it('hands a request to the first route whose prefix it starts with', async () => {
    const seen: string[] = []
    const route = (name: string, prefix: string): ReceiverRoute => ({
      prefix,
      handle(req, res) {
        seen.push(`${name} ${req.url}`)
        res.end()
      },
    })
    const r = await receiver({ routes: [route('a', '/api/v1/'), route('b', '/api/')] })
    for (const path of ['/api/v1/x', '/api/v2/x', '/apix/']) {
      await (await request(`${r.url}${path}`)).body.dump()
    }
    expect(seen).toEqual(['a /api/v1/x', 'b /api/v2/x'])
    expect(r.deliveries.map((d) => d.path)).toEqual(['/apix/'])
  })

  it('answers 500 for a route that throws, and cuts off one that fails after answering began', async () => {
    const r = await receiver({
      routes: [
        {
          prefix: '/throws/',
          handle() {
            throw new Error('boom')
          },
        },
        {
          prefix: '/late/',
          async handle(_req, res) {
            res.writeHead(200, { 'content-type': 'text/plain' })
            res.write('partial')
            await new Promise((resolve) => setImmediate(resolve))
            throw new Error('failed mid-answer')
          },
        },
      ],
    })
    const thrown = await request(`${r.url}/throws/x`)
    expect(thrown.statusCode).toBe(500)
    expect(thrown.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(await thrown.body.text()).toBe('The route handler failed.')
    const late = await rawExchange(r.url, 'GET /late/x HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(late.text).toMatch(/^HTTP\/1\.1 200 /)
    expect(late.text).toContain('partial')
    // Cut off: the chunked answer never gets its last chunk.
    expect(late.text.endsWith('0\r\n\r\n')).toBe(false)
    expect(late.ended).not.toBe('deadline')
  })
})
