import { randomBytes } from 'node:crypto'
import { setImmediate } from 'node:timers'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createReceiver, stripe, type Receiver, type ReceiverRoute } from '../../src/index.js'
import { controlRoute } from '../../src/remote/control.js'
import { api, follow, post, readStreamUntil } from './helpers.js'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
const secret = 'whsec_control_test'
const open: Receiver[] = []

async function receiver(control: Parameters<typeof createReceiver>[0] = { control: true }) {
  const r = await createReceiver(control)
  open.push(r)
  return r
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()))
})

describe('control API', () => {
  it('describes the receiver at GET /_hookwright/', async () => {
    const r = await receiver()
    await post(`${r.url}/nowhere`, 'x')
    const { status, headers, json } = await api(r.url, '')
    expect(status).toBe(200)
    expect(headers.get('content-type')).toMatch(/^application\/json/)
    expect(json).toEqual({
      name: 'hookwright',
      version: pkg.version,
      url: r.url,
      endpoints: 0,
      deliveries: 1,
      dropped: 0,
    })
  })

  it('mints an endpoint from JSON options, verifies with a scheme name and never echoes the secret', async () => {
    const r = await receiver()
    const created = await api(r.url, 'endpoints', {
      method: 'POST',
      body: {
        verify: { scheme: 'stripe', secret },
        respond: [500, 200],
        methods: ['POST'],
        maxBodyBytes: 2048,
        name: 'billing',
      },
    })
    expect(created.status).toBe(201)
    const { id, url, path } = created.json
    expect(path).toBe(`/h/${id}`)
    expect(url).toBe(`${r.url}${path}`)
    expect(r.getEndpoint(id)?.url).toBe(url)

    const signed = stripe.sign({ payload: { type: 'invoice.paid' }, secret })
    expect(await post(url, signed.body, signed.headers)).toBe(500)
    expect(await post(url, signed.body, signed.headers)).toBe(200)
    expect(await post(url, signed.body, { 'stripe-signature': 't=1,v1=00' })).toBe(401)
    expect(await fetch(url, { method: 'PUT' }).then((res) => res.status)).toBe(405)

    const shown = await api(r.url, `endpoints/${id}`)
    expect(shown.status).toBe(200)
    expect(shown.json).toEqual({
      id,
      path,
      url,
      name: 'billing',
      deliveries: 4,
      options: {
        verify: { scheme: 'stripe' },
        respond: [500, 200],
        methods: ['POST'],
        maxBodyBytes: 2048,
      },
    })
    expect(JSON.stringify(shown.json)).not.toContain(secret)

    const list = await api(r.url, 'endpoints')
    expect(list.json.endpoints.map((e: { id: string }) => e.id)).toEqual([id])
    expect((await api(r.url, '')).json.endpoints).toBe(1)
  })

  it('closes an endpoint with DELETE; later requests to it are recorded as unknown', async () => {
    const r = await receiver()
    const { json: ep } = await api(r.url, 'endpoints', { method: 'POST' })
    expect(await api(r.url, `endpoints/${ep.id}`, { method: 'DELETE' })).toMatchObject({
      status: 200,
      json: { id: ep.id, closed: true },
    })
    expect(r.getEndpoint(ep.id)).toBeUndefined()
    expect((await api(r.url, `endpoints/${ep.id}`)).status).toBe(404)
    expect(await post(ep.url, 'late')).toBe(404)
    expect(r.deliveries.at(-1)).toMatchObject({ endpoint: null, path: ep.path })
    expect((await api(r.url, 'endpoints')).json.endpoints).toEqual([])
  })

  it('lists deliveries byte-exact, by endpoint, after an id and in pages', async () => {
    const r = await receiver()
    const a = r.endpoint()
    const b = r.endpoint()
    const bodies = [randomBytes(64), randomBytes(64), randomBytes(64)]
    for (const body of bodies) await post(a.url, body)
    await post(b.url, 'other')

    const all = await api(r.url, 'deliveries')
    expect(all.json.deliveries).toHaveLength(4)
    expect(all.json).toMatchObject({ more: false, dropped: 0 })

    const mine = await api(r.url, `deliveries?endpoint=${a.id}`)
    const got = mine.json.deliveries.map((d: { rawBody: string }) =>
      Buffer.from(d.rawBody, 'base64'),
    )
    expect(got).toEqual(bodies)
    expect(mine.json.deliveries[0]).toMatchObject({
      endpoint: a.id,
      attempt: 1,
      bodyEncoding: 'base64',
    })

    const first = await api(r.url, `deliveries?endpoint=${a.id}&limit=2`)
    expect(first.json.deliveries.map((d: { attempt: number }) => d.attempt)).toEqual([1, 2])
    expect(first.json.more).toBe(true)
    const next = await api(
      r.url,
      `deliveries?endpoint=${a.id}&since=${first.json.deliveries[1].id}`,
    )
    expect(next.json.deliveries.map((d: { attempt: number }) => d.attempt)).toEqual([3])
    expect(next.json.more).toBe(false)
  })

  it('clears one endpoint (restarting its attempts) or everything with DELETE /deliveries', async () => {
    const r = await receiver()
    const a = r.endpoint()
    const b = r.endpoint()
    await post(a.url, '1')
    await post(b.url, '2')
    expect(await api(r.url, `deliveries?endpoint=${a.id}`, { method: 'DELETE' })).toMatchObject({
      status: 200,
      json: { cleared: true, endpoint: a.id },
    })
    expect(a.deliveries).toHaveLength(0)
    expect(b.deliveries).toHaveLength(1)
    await post(a.url, '3')
    expect(a.deliveries[0]?.attempt).toBe(1)

    expect((await api(r.url, 'deliveries', { method: 'DELETE' })).json).toEqual({
      cleared: true,
      endpoint: null,
    })
    expect(r.deliveries).toHaveLength(0)
    expect(b.deliveries).toHaveLength(0)
  })

  it('long-polls POST /wait until deliveries match a JSON pattern', async () => {
    const r = await receiver()
    const ep = r.endpoint()
    const json = (body: object) => post(ep.url, JSON.stringify(body), { 'x-kind': 'test' })
    await json({ type: 'invoice.created', data: { object: { amount: 5 } } })

    const waiting = api(r.url, 'wait', {
      method: 'POST',
      body: {
        endpoint: ep.id,
        count: 2,
        timeout: 10_000,
        match: {
          method: 'post',
          path: ep.path,
          headers: { 'X-Kind': 'test' },
          json: { type: 'invoice.paid', data: { object: { lines: [{ id: 'l1' }] } } },
        },
      },
    })
    await json({ type: 'invoice.paid', data: { object: { lines: [{ id: 'l1', n: 1 }] } } })
    await json({ type: 'invoice.paid', data: { object: { lines: [{ id: 'l1' }, { id: 'l2' }] } } })
    await post(ep.url, 'not json', { 'x-kind': 'test' })
    await json({ type: 'invoice.paid', extra: true, data: { object: { lines: [{ id: 'l1' }] } } })

    const { status, json: body } = await waiting
    expect(status).toBe(200)
    expect(body.deliveries.map((d: { attempt: number }) => d.attempt)).toEqual([2, 5])
  })

  it('answers a wait that times out with 408 and what did arrive', async () => {
    const r = await receiver()
    const ep = r.endpoint()
    await post(ep.url, '{"type":"invoice.created"}')
    const { status, json } = await api(r.url, 'wait', {
      method: 'POST',
      body: { endpoint: ep.id, timeout: 50, match: { json: { type: 'invoice.paid' } } },
    })
    expect(status).toBe(408)
    expect(json.error.code).toBe('HOOKWRIGHT_TIMEOUT')
    expect(json.error.message).toContain('invoice.created')
    expect(json.error.message).toContain(
      'waiting for 1 delivery with JSON matching {"type":"invoice.paid"}',
    )
  })

  it('says what was wrong with a bad request', async () => {
    const r = await receiver()
    const cases: Array<[string, Parameters<typeof api>[2], number, string, RegExp]> = [
      ['endpoints', { method: 'POST', body: '{oops' }, 400, 'BAD_REQUEST', /not valid JSON/],
      // V8's parse message quotes the body: a secret pasted without its JSON must not come back.
      [
        'endpoints',
        { method: 'POST', body: secret },
        400,
        'BAD_REQUEST',
        /\(18 bytes\) is not valid JSON/,
      ],
      ['endpoints', { method: 'POST', body: [1] }, 400, 'BAD_REQUEST', /JSON object/],
      [
        'endpoints',
        { method: 'POST', body: { respnd: 500 } },
        400,
        'HOOKWRIGHT_INVALID_OPTION',
        /respnd/,
      ],
      [
        'endpoints',
        { method: 'POST', body: { respond: ['teapot'] } },
        400,
        'HOOKWRIGHT_INVALID_OPTION',
        /respond\[0\]/,
      ],
      [
        'endpoints',
        { method: 'POST', body: { verify: { scheme: 'nope', secret } } },
        400,
        'HOOKWRIGHT_UNKNOWN_SCHEME',
        /Known schemes: .*stripe/,
      ],
      [
        'endpoints',
        { method: 'POST', body: { verify: { scheme: 'stripe' } } },
        400,
        'HOOKWRIGHT_MISSING_SECRET',
        /secret/,
      ],
      [
        'endpoints',
        { method: 'POST', body: { verify: { scheme: { secret } } } },
        400,
        'BAD_REQUEST',
        /verify/,
      ],
      [
        'endpoints',
        { method: 'POST', body: { verify: { scheme: 'stripe', secret, key: 1 } } },
        400,
        'BAD_REQUEST',
        /Unknown field `key` in verify/,
      ],
      [
        'endpoints',
        { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        /application\/json/,
      ],
      [
        'endpoints',
        { method: 'POST', body: { name: 'x'.repeat(1024 * 1024) } },
        413,
        'PAYLOAD_TOO_LARGE',
        /limited/,
      ],
      ['endpoints', { method: 'PUT' }, 405, 'METHOD_NOT_ALLOWED', /GET or POST/],
      ['endpoints/missing', {}, 404, 'NOT_FOUND', /"missing"/],
      ['endpoints/%E0%A4%A', {}, 404, 'NOT_FOUND', /"%E0%A4%A"/],
      ['deliveries?limit=ten', {}, 400, 'BAD_REQUEST', /`limit`/],
      ['deliveries?limit=0', {}, 400, 'BAD_REQUEST', /`limit`/],
      ['deliveries?endpoint=missing', {}, 404, 'NOT_FOUND', /"missing"/],
      [
        'wait',
        { method: 'POST', body: { count: 0, timeout: 10 } },
        400,
        'HOOKWRIGHT_INVALID_OPTION',
        /count/,
      ],
      [
        'wait',
        { method: 'POST', body: { timeut: 10 } },
        400,
        'BAD_REQUEST',
        /Unknown field `timeut`/,
      ],
      ['wait', { method: 'POST', body: { endpoint: 5 } }, 400, 'BAD_REQUEST', /`endpoint`/],
      ['wait', { method: 'POST', body: 'null' }, 400, 'BAD_REQUEST', /JSON object/],
      ['wait', { method: 'POST', body: { match: 'invoice.paid' } }, 400, 'BAD_REQUEST', /`match`/],
      [
        'wait',
        { method: 'POST', body: { match: { method: 1 } } },
        400,
        'BAD_REQUEST',
        /`match.method`/,
      ],
      [
        'wait',
        { method: 'POST', body: { match: { path: 1 } } },
        400,
        'BAD_REQUEST',
        /`match.path`/,
      ],
      [
        'wait',
        { method: 'POST', body: { match: { headers: { a: 1 } } } },
        400,
        'BAD_REQUEST',
        /`match.headers`/,
      ],
      [
        'wait',
        { method: 'POST', body: { match: { body: {} } } },
        400,
        'BAD_REQUEST',
        /Unknown field `body` in match/,
      ],
      ['events?replay=maybe', {}, 400, 'BAD_REQUEST', /`replay`/],
      ['events?endpoint=missing', {}, 404, 'NOT_FOUND', /"missing"/],
      [
        'endpoints/a/b',
        {},
        404,
        'NOT_FOUND',
        /No control route GET \/_hookwright\/endpoints\/a\/b/,
      ],
      ['nothing-here', {}, 404, 'NOT_FOUND', /Routes: /],
    ]
    for (const [path, init, status, code, message] of cases) {
      const res = await api(r.url, path, init)
      expect({ path, status: res.status, code: res.json?.error?.code }).toEqual({
        path,
        status,
        code,
      })
      expect(res.json.error.message).toMatch(message)
      expect(res.json.error.message).not.toContain(secret)
    }
    // An empty wait body takes the defaults (one delivery, any).
    const ep = r.endpoint()
    await post(ep.url, 'x')
    expect((await api(r.url, 'wait', { method: 'POST' })).json.deliveries).toHaveLength(1)
    const wrongMethod = await api(r.url, 'wait')
    expect(wrongMethod.headers.get('allow')).toBe('POST')
    // Control requests are not deliveries.
    expect(r.deliveries).toHaveLength(1)
  })

  it('checks a bearer token in constant time and never prints it', async () => {
    const token = 'tok_' + randomBytes(12).toString('hex')
    const r = await receiver({ control: { token } })
    const missing = await api(r.url, '')
    expect(missing.status).toBe(401)
    expect(missing.json.error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/needs a control token/),
    })
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)

    for (const wrong of [`${token}x`, token.slice(1), '']) {
      const res = await api(r.url, '', { token: wrong })
      expect(res.status).toBe(401)
      expect(res.json.error.message).toBe('The control token does not match.')
    }
    expect((await api(r.url, '', { headers: { authorization: `Basic ${token}` } })).status).toBe(
      401,
    )
    expect((await api(r.url, `?token=nope`)).status).toBe(401)

    expect((await api(r.url, '', { token })).status).toBe(200)
    expect((await api(r.url, '', { headers: { authorization: `bearer ${token}` } })).status).toBe(
      200,
    )
    expect((await api(r.url, `?token=${token}`)).status).toBe(200)
    expect((await api(r.url, 'endpoints', { method: 'POST', token })).status).toBe(201)
  })

  it('refuses a bad route option at once', () => {
    expect(() => controlRoute({ token: '' })).toThrow(/`control.token`.*\(hidden\)/)
    expect(() => controlRoute({ heartbeatMs: 0 })).toThrow(/`control.heartbeatMs`/)
  })
})

describe('event stream', () => {
  it('sends every delivery to each of several concurrent clients, in order', async () => {
    const r = await receiver()
    const ep = r.endpoint()
    const one = follow(`${r.url}/_hookwright/events`)
    const two = follow(`${r.url}/_hookwright/events`)
    await Promise.all([one.isReady(), two.isReady()])
    const bodies = Array.from({ length: 20 }, () => randomBytes(32))
    await Promise.all(bodies.map((body) => post(ep.url, body)))
    await Promise.all([one.received(20), two.received(20)])
    one.close()
    two.close()

    const kept = r.deliveries.map((d) => d.id)
    for (const client of [one, two]) {
      expect(client.deliveries.map((e) => e.id)).toEqual(kept)
      expect(client.deliveries.map((e) => e.delivery.id)).toEqual(kept)
      const got = client.deliveries.map((e) =>
        Buffer.from(e.delivery.rawBody, 'base64').toString('hex'),
      )
      expect(got.sort()).toEqual(bodies.map((b) => b.toString('hex')).sort())
      expect(client.ready).toEqual([{ replayed: 0, dropped: 0, lastId: null }])
    }
  })

  it('replays the kept history first with ?replay=1, filtered by ?endpoint=', async () => {
    const r = await receiver()
    const a = r.endpoint()
    const b = r.endpoint()
    await post(a.url, 'a1')
    await post(b.url, 'b1')
    await post(a.url, 'a2')
    const client = follow(`${r.url}/_hookwright/events?replay=1&endpoint=${a.id}`)
    await client.isReady()
    expect(client.ready).toEqual([{ replayed: 2, dropped: 0, lastId: r.deliveries[2]!.id }])
    await post(b.url, 'b2')
    await post(a.url, 'a3')
    await client.received(3)
    client.close()
    const texts = client.deliveries.map((e) => Buffer.from(e.delivery.rawBody, 'base64').toString())
    expect(texts).toEqual(['a1', 'a2', 'a3'])
  })

  it('resumes after Last-Event-ID, sends heartbeats and takes the token as a query parameter', async () => {
    const token = 'stream-token'
    const r = await createReceiver({ routes: [controlRoute({ token, heartbeatMs: 5 })] })
    open.push(r)
    const ep = r.endpoint()
    for (const body of ['1', '2', '3']) await post(ep.url, body)
    const [first] = r.deliveries
    const text = await readStreamUntil(
      `${r.url}/_hookwright/events?token=${token}`,
      ': heartbeat',
      {
        'last-event-id': first!.id,
      },
    )
    expect(text).toMatch(/^retry: \d+\n\n/)
    const ids = [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1])
    expect(ids).toEqual(r.deliveries.slice(1).map((d) => d.id))
    const lastId = r.deliveries[2]!.id
    expect(text).toContain(
      `event: ready\ndata: {"replayed":2,"dropped":0,"lastId":"${lastId}"}\n\n`,
    )
    expect(text).not.toContain(token)

    // An id the receiver no longer keeps (cleared or dropped) resends everything kept.
    const again = await readStreamUntil(
      `${r.url}/_hookwright/events?lastEventId=gone`,
      'event: ready',
      {
        authorization: `Bearer ${token}`,
      },
    )
    expect([...again.matchAll(/^id: /gm)]).toHaveLength(3)
  })

  it('is ended by close(), together with pending waits, so the receiver closes promptly', async () => {
    const inner = controlRoute()
    let bodyRead!: () => void
    const waitRead = new Promise<void>((resolve) => (bodyRead = resolve))
    // Tells the test when the wait's body has been read; the route registers it right after.
    const route: ReceiverRoute = {
      prefix: inner.prefix,
      handle(req, res, rec) {
        if (req.url?.endsWith('/wait')) req.once('end', () => setImmediate(bodyRead))
        return inner.handle(req, res, rec)
      },
      close: () => inner.close?.(),
    }
    const r = await createReceiver({ routes: [route] })
    const client = follow(`${r.url}/_hookwright/events`)
    await client.isReady()
    const errored = new Promise<void>((resolve) =>
      client.source.addEventListener('error', () => resolve()),
    )
    const waiting = api(r.url, 'wait', { method: 'POST', body: { timeout: 60_000 } })
    await waitRead
    await r.close()
    await errored
    client.close()
    const res = await waiting
    expect(res.status).toBe(503)
    expect(res.json.error.code).toBe('HOOKWRIGHT_CLOSED')
    expect((await api(r.url, '').catch((error: Error) => error)) instanceof Error).toBe(true)
  })
})
