import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INSPECTOR_PREFIX, inspectorRoute, inspectorUrl } from '../../src/inspector/route.js'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'

let open: Receiver
let guarded: Receiver

beforeAll(async () => {
  open = await createReceiver({ control: true, routes: [inspectorRoute()] })
  guarded = await createReceiver({
    control: { token: 'sekrit' },
    routes: [inspectorRoute({ token: 'sekrit', endpoint: { respond: 202 } })],
  })
})
afterAll(async () => {
  await open.close()
  await guarded.close()
})

async function call(
  receiver: Receiver,
  path: string,
  {
    method = 'GET',
    body,
    headers = {},
  }: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const res = await request(`${receiver.url}${path}`, { method: method as 'GET', body, headers })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) }
}

const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...extra },
})

describe('the inspector route', () => {
  it('serves one self-contained page per open callback, and 404 for others', async () => {
    const ep = open.endpoint()
    const page = await call(open, `${INSPECTOR_PREFIX}${ep.id}`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.text).toContain(`<meta name="hookwright-callback" content="${ep.url}">`)
    // Self-contained: nothing loaded from anywhere.
    expect(page.text).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!127)/)
    const head = await call(open, `${INSPECTOR_PREFIX}${ep.id}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    const missing = await call(open, `${INSPECTOR_PREFIX}nope`)
    expect(missing.status).toBe(404)
    expect(missing.text).toMatch(/No open callback/)
    expect((await call(open, `${INSPECTOR_PREFIX}%E0%A4%A`)).status).toBe(500)
    expect((await call(open, `${INSPECTOR_PREFIX}${ep.id}`, { method: 'DELETE' })).status).toBe(405)
    // Inspector requests are not deliveries.
    expect(open.deliveries.filter((d) => d.path.startsWith(INSPECTOR_PREFIX))).toEqual([])
  })

  it('answers only to loopback names on a loopback receiver (no DNS rebinding)', async () => {
    const ep = open.endpoint()
    const res = await call(open, `${INSPECTOR_PREFIX}${ep.id}`, {
      headers: { host: 'evil.example:80' },
    })
    expect(res.status).toBe(403)
    const local = await call(open, `${INSPECTOR_PREFIX}${ep.id}`, {
      headers: { host: `localhost:${open.port}` },
    })
    expect(local.status).toBe(200)
  })

  it('mints a callback with GET new (a redirect) and POST new (JSON)', async () => {
    const redirect = await call(open, `${INSPECTOR_PREFIX}new`)
    expect(redirect.status).toBe(303)
    const id = String(redirect.headers.location).slice(INSPECTOR_PREFIX.length)
    expect(open.getEndpoint(id)).toBeDefined()
    expect((await call(open, INSPECTOR_PREFIX)).status).toBe(303)
    const before = open.deliveries.length
    const crossSite = await call(open, `${INSPECTOR_PREFIX}new`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    expect(crossSite.status).toBe(403)
    expect(open.deliveries.length).toBe(before)
    expect(
      (await call(open, `${INSPECTOR_PREFIX}new`, { headers: { 'sec-fetch-site': 'none' } }))
        .status,
    ).toBe(303)
    const minted = await call(open, `${INSPECTOR_PREFIX}new`, json({}))
    expect(minted.status).toBe(201)
    const body = minted.json()
    expect(body.url).toBe(open.getEndpoint(body.id)!.url)
    expect(body.inspector).toBe(inspectorUrl(open, body.id))
    expect((await call(open, `${INSPECTOR_PREFIX}new`, { method: 'PUT' })).status).toBe(405)
  })

  it('refuses POSTs that are not JSON objects (no cross-site form posts)', async () => {
    const form = await call(open, `${INSPECTOR_PREFIX}new`, {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(415)
    expect((await call(open, `${INSPECTOR_PREFIX}new`, { ...json({}), body: '[1]' })).status).toBe(
      400,
    )
    expect((await call(open, `${INSPECTOR_PREFIX}new`, { ...json({}), body: '{' })).status).toBe(
      400,
    )
    const big = await call(open, `${INSPECTOR_PREFIX}replay`, {
      ...json({}),
      body: JSON.stringify({ x: 'y'.repeat(70_000) }),
    })
    expect(big.status).toBe(413)
    expect((await call(open, `${INSPECTOR_PREFIX}replay`)).status).toBe(405)
  })

  it('needs the token for its actions when the control API has one', async () => {
    expect((await call(guarded, `${INSPECTOR_PREFIX}new`)).status).toBe(401)
    const redirect = await call(guarded, `${INSPECTOR_PREFIX}new?token=sekrit`)
    expect(redirect.status).toBe(303)
    expect(redirect.headers.location).toMatch(/^\/_hookwright\/inspect\/[\w-]+#token=sekrit$/)
    expect((await call(guarded, `${INSPECTOR_PREFIX}new`, json({}))).status).toBe(401)
    expect(
      (await call(guarded, `${INSPECTOR_PREFIX}new`, json({}, { authorization: 'Bearer nope' })))
        .status,
    ).toBe(401)
    const minted = await call(
      guarded,
      `${INSPECTOR_PREFIX}new`,
      json({}, { authorization: 'Bearer sekrit' }),
    )
    expect(minted.status).toBe(201)
    // Callbacks minted from the page get the options `listen` was given.
    expect(guarded.getEndpoint(minted.json().id)!.options).toEqual({ respond: 202 })
    expect(inspectorUrl(guarded, 'abc', 'a b')).toBe(
      `${guarded.url}${INSPECTOR_PREFIX}abc#token=a%20b`,
    )
  })

  it('replays a kept delivery to a typed URL and turns one into a fixture file', async () => {
    const ep = open.endpoint()
    const target = open.endpoint({ respond: 201 })
    await call(
      open,
      new URL(ep.url).pathname,
      json({ type: 'order.paid' }, { 'x-hub-signature-256': 'sha256=abc', 'x-custom': '1' }),
    )
    const [d] = await ep.waitFor()
    const replayed = await call(
      open,
      `${INSPECTOR_PREFIX}replay`,
      json({ delivery: d!.id, to: target.url }),
    )
    expect(replayed.status).toBe(200)
    expect(replayed.json()).toEqual({ status: 201, durationMs: expect.any(Number) })
    const [copy] = await target.waitFor()
    expect(copy!.text()).toBe('{"type":"order.paid"}')
    expect(copy!.header('x-custom')).toBe('1')

    const fixture = await call(open, `${INSPECTOR_PREFIX}fixture`, json({ delivery: d!.id }))
    expect(fixture.status).toBe(200)
    const file = fixture.json()
    expect(file).toMatchObject({
      contentType: 'application/json',
      payload: { type: 'order.paid' },
      headers: { 'x-custom': '1' },
    })
    expect(file.headers).not.toHaveProperty('x-hub-signature-256')

    expect(
      (await call(open, `${INSPECTOR_PREFIX}replay`, json({ delivery: 'gone', to: target.url })))
        .status,
    ).toBe(404)
    for (const to of ['nope', 'ftp://127.0.0.1/x', 42]) {
      const bad = await call(open, `${INSPECTOR_PREFIX}replay`, json({ delivery: d!.id, to }))
      expect(bad.status).toBe(400)
    }
    const gone = await createReceiver()
    const goneUrl = `${gone.url}/h/x`
    await gone.close()
    const refused = await call(
      open,
      `${INSPECTOR_PREFIX}replay`,
      json({ delivery: d!.id, to: goneUrl }),
    )
    expect(refused.status).toBe(502)
    expect(refused.json().error.message).toMatch(
      /^The replay to http:\/\/127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)\.$/,
    )
  })
})
