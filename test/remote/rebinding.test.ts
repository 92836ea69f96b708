import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INSPECTOR_PREFIX, inspectorRoute } from '../../src/inspector/route.js'
import { hostCheck } from '../../src/receiver/guard.js'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'

// What a page whose name an attacker rebinds to 127.0.0.1 can send: its own name as Host and
// its own origin as Origin. Every harness route must refuse both; callbacks must not.
let receiver: Receiver
let callbackId: string
let deliveryId: string

beforeAll(async () => {
  receiver = await createReceiver({ control: true, routes: [inspectorRoute()] })
  const ep = receiver.endpoint()
  callbackId = ep.id
  const res = await request(ep.url, {
    method: 'POST',
    body: '{"secret":"sk_live_abc"}',
    headers: { authorization: 'Bearer sk_live_abc' },
  })
  await res.body.dump()
  deliveryId = receiver.deliveries[0]!.id
})
afterAll(() => receiver.close())

async function call(
  path: string,
  { method = 'GET', body, headers = {} }: Route & { headers?: Record<string, string> },
) {
  const res = await request(`${receiver.url}${path}`, {
    method: method as 'GET',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body,
  })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text }
}

interface Route {
  method?: string
  body?: string
}

/** Every route under /_hookwright/, as the page or a program would call it. */
const routes = (): Array<[string, Route]> => [
  ['/_hookwright/', {}],
  ['/_hookwright/endpoints', {}],
  ['/_hookwright/endpoints', { method: 'POST', body: '{}' }],
  [`/_hookwright/endpoints/${callbackId}`, {}],
  [`/_hookwright/endpoints/${callbackId}`, { method: 'DELETE' }],
  ['/_hookwright/deliveries', {}],
  ['/_hookwright/deliveries', { method: 'DELETE' }],
  ['/_hookwright/wait', { method: 'POST', body: '{"timeout":1}' }],
  ['/_hookwright/events?replay=1', {}],
  [`${INSPECTOR_PREFIX}${callbackId}`, {}],
  [`${INSPECTOR_PREFIX}new`, {}],
  [`${INSPECTOR_PREFIX}new`, { method: 'POST', body: '{}' }],
  [`${INSPECTOR_PREFIX}replay`, { method: 'POST', body: `{"delivery":"${deliveryId}"}` }],
  [`${INSPECTOR_PREFIX}fixture`, { method: 'POST', body: `{"delivery":"${deliveryId}"}` }],
]

describe('DNS rebinding: a foreign Host reads and changes nothing', () => {
  it('refuses every control, event-stream and inspector route with 403 naming the Host', async () => {
    const before = receiver.deliveries.length
    for (const [path, route] of routes()) {
      const res = await call(path, { ...route, headers: { host: `evil.example:${receiver.port}` } })
      expect([path, route.method, res.status]).toEqual([path, route.method, 403])
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      const error = JSON.parse(res.text).error
      expect(error.code).toBe('FORBIDDEN_HOST')
      expect(error.message).toContain(`"evil.example:${receiver.port}"`)
      expect(res.text).not.toContain('sk_live_abc')
    }
    // Nothing was minted, cleared or closed, and the refusals are not deliveries.
    expect(receiver.getEndpoint(callbackId)).toBeDefined()
    expect(receiver.deliveries.length).toBe(before)
  })

  it('answers localhost, 127.0.0.1 and [::1], with or without the port', async () => {
    for (const host of [
      'localhost',
      `localhost:${receiver.port}`,
      'LOCALHOST',
      '127.0.0.1',
      `127.0.0.1:${receiver.port}`,
      '[::1]',
      `[::1]:${receiver.port}`,
    ]) {
      expect([host, (await call('/_hookwright/deliveries', { headers: { host } })).status]).toEqual(
        [host, 200],
      )
    }
    for (const host of [
      'localhost.evil.example',
      'evil.localhost.example',
      '127.0.0.1.evil.example',
    ]) {
      expect([host, (await call('/_hookwright/', { headers: { host } })).status]).toEqual([
        host,
        403,
      ])
    }
  })

  it('keeps callbacks open to any Host: senders call them by whatever name they were given', async () => {
    const res = await call(`/h/${callbackId}`, {
      method: 'POST',
      body: '{}',
      headers: { host: 'hooks.example.com' },
    })
    expect(res.status).toBe(200)
    expect(receiver.deliveries.at(-1)!.headers.host).toBe('hooks.example.com')
  })

  it('answers the names given in allowedHosts (a name, ".name" for subdomains, name:port)', async () => {
    const allowing = await createReceiver({
      control: true,
      allowedHosts: ['myhost.test', '.dev.test', 'tunnel.test:8443'],
    })
    try {
      const status = async (host: string) => {
        const res = await request(`${allowing.url}/_hookwright/`, { headers: { host } })
        await res.body.dump()
        return [host, res.statusCode]
      }
      for (const host of [
        'myhost.test',
        'MyHost.test:1234',
        'dev.test',
        'a.b.dev.test',
        'tunnel.test:8443',
        'localhost',
      ]) {
        expect(await status(host)).toEqual([host, 200])
      }
      for (const host of [
        'evil.test',
        'xdev.test',
        'tunnel.test',
        'tunnel.test:1',
        'myhost.test.evil',
      ]) {
        expect(await status(host)).toEqual([host, 403])
      }
    } finally {
      await allowing.close()
    }
  })

  it('checks allowedHosts as an option, naming it', async () => {
    await expect(createReceiver({ allowedHosts: 'myhost.test' as never })).rejects.toMatchObject({
      code: 'HOOKWRIGHT_INVALID_OPTION',
      message: expect.stringContaining('allowedHosts'),
    })
    await expect(createReceiver({ allowedHosts: ['ok.test', 'no/slash'] })).rejects.toMatchObject({
      code: 'HOOKWRIGHT_INVALID_OPTION',
      message: expect.stringContaining('allowedHosts[1]'),
    })
  })

  it('checks Hosts only on a loopback receiver, unless names are allowed', () => {
    expect(hostCheck('0.0.0.0', undefined)).toBeUndefined()
    expect(hostCheck('192.0.2.7', ['ci.test'])!('192.0.2.7:4400')).toBe(true)
    expect(hostCheck('192.0.2.7', ['ci.test'])!('evil.test')).toBe(false)
    expect(hostCheck('::1', undefined)!('[::1]:80')).toBe(true)
    expect(hostCheck('127.0.0.1', undefined)!(undefined)).toBe(false)
  })
})

describe('another site in the browser: a foreign Origin uses nothing', () => {
  it('refuses every control and inspector route with a foreign Origin, or Sec-Fetch-Site cross-site', async () => {
    const before = receiver.deliveries.length
    for (const headers of <Array<Record<string, string>>>[
      { origin: 'http://evil.example' },
      { origin: `http://localhost:${receiver.port}` }, // another origin, same machine
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' },
      { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' },
    ]) {
      for (const [path, route] of routes()) {
        if (path === `${INSPECTOR_PREFIX}${callbackId}` && !route.method) continue // below
        const res = await call(path, { ...route, headers })
        expect([path, route.method, headers, res.status]).toEqual([
          path,
          route.method,
          headers,
          403,
        ])
        expect(JSON.parse(res.text).error.code).toBe('FORBIDDEN_ORIGIN')
      }
    }
    expect(receiver.getEndpoint(callbackId)).toBeDefined()
    expect(receiver.deliveries.length).toBe(before)
  })

  it('lets the receiver own pages and programs in: same Origin, Sec-Fetch-Site same-origin or none', async () => {
    for (const headers of <Array<Record<string, string>>>[
      {},
      { origin: receiver.url },
      { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', origin: receiver.url },
      { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
    ]) {
      expect((await call('/_hookwright/deliveries', { headers })).status).toBe(200)
    }
  })

  it('serves the inspector page to a navigation from anywhere, but not to another site’s fetch', async () => {
    const page = `${INSPECTOR_PREFIX}${callbackId}`
    const navigate = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }
    expect((await call(page, { headers: navigate })).status).toBe(200)
    const fetched = {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'cors',
      origin: 'http://evil.example',
    }
    expect((await call(page, { headers: fetched })).status).toBe(403)
  })

  it('mints a callback on GET new only for a typed-in or same-origin navigation', async () => {
    const mint = (headers: Record<string, string>) =>
      call(`${INSPECTOR_PREFIX}new`, { headers }).then((r) => r.status)
    expect(await mint({})).toBe(303)
    expect(await mint({ 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).toBe(303)
    expect(await mint({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' })).toBe(303)
    expect(await mint({ referer: `${receiver.url}${INSPECTOR_PREFIX}${callbackId}` })).toBe(303)
    const minted = receiver.deliveries.length
    expect(await mint({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBe(403)
    expect(await mint({ 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).toBe(403)
    expect(await mint({ referer: 'http://evil.example/page' })).toBe(403)
    expect(await mint({ referer: `http://localhost:${receiver.port}/` })).toBe(403)
    expect(await mint({ origin: 'http://evil.example' })).toBe(403)
    expect(receiver.deliveries.length).toBe(minted)
  })

  it('takes state changes only as JSON, even with an empty body (no simple cross-site POST)', async () => {
    const count = () => receiver.deliveries.length
    for (const headers of <Array<Record<string, string>>>[
      {},
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    ]) {
      const created = await request(`${receiver.url}/_hookwright/endpoints`, {
        method: 'POST',
        headers,
      })
      expect(created.statusCode).toBe(415)
      expect(((await created.body.json()) as { error: { code: string } }).error.code).toBe(
        'UNSUPPORTED_MEDIA_TYPE',
      )
      const wait = await request(`${receiver.url}/_hookwright/wait`, { method: 'POST', headers })
      expect(wait.statusCode).toBe(415)
      await wait.body.dump()
    }
    const json = await request(`${receiver.url}/_hookwright/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    })
    expect(json.statusCode).toBe(201)
    await json.body.dump()
    expect(count()).toBeGreaterThan(0)
  })
})
