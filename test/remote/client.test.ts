import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connectReceiver,
  createReceiver,
  HookwrightError,
  stripe,
  type Delivery,
  type Receiver,
  type ReceiverRoute,
  type RemoteReceiver,
} from '../../src/index.js'
import { controlRoute } from '../../src/remote/control.js'
import { post } from './helpers.js'

const secret = 'whsec_remote_test'
const cleanup: Array<() => Promise<void>> = []

async function receiver(options: Parameters<typeof createReceiver>[0] = { control: true }) {
  const r = await createReceiver(options)
  cleanup.push(() => r.close())
  return r
}

async function connect(r: Receiver | string, options?: Parameters<typeof connectReceiver>[1]) {
  const remote = await connectReceiver(typeof r === 'string' ? r : r.url, options)
  cleanup.unshift(() => remote.close())
  return remote
}

afterEach(async () => {
  for (const close of cleanup.splice(0)) await close()
})

describe('connectReceiver', () => {
  it('mints an endpoint on the receiver and sees its deliveries byte-exact', async () => {
    const r = await receiver()
    const remote = await connect(r)
    const ep = await remote.endpoint({ verify: { scheme: 'stripe', secret }, respond: [503, 200] })
    expect(ep.url).toBe(`${r.url}${ep.path}`)
    expect(r.getEndpoint(ep.id)?.url).toBe(ep.url)

    const signed = stripe.sign({ payload: { type: 'invoice.paid', n: 1 }, secret })
    // Bytes that are not UTF-8 must come back as they went out.
    const binary = Buffer.concat([randomBytes(100), Buffer.from([0xff, 0xfe, 0x00, 0xc3])])
    expect(await post(ep.url, signed.body, signed.headers)).toBe(503)
    expect(await post(ep.url, binary)).toBe(401)

    const [first, second] = await ep.waitFor({ count: 2, timeout: 5000 })
    const local = r.getEndpoint(ep.id)!.deliveries
    expect(Buffer.from(first!.rawBody).equals(Buffer.from(local[0]!.rawBody))).toBe(true)
    expect(Buffer.from(second!.rawBody).equals(binary)).toBe(true)
    expect(first!.json()).toEqual({ type: 'invoice.paid', n: 1 })
    expect(first!.header('stripe-signature')).toBe(signed.headers['stripe-signature'])
    expect(first).toMatchObject({
      attempt: 1,
      endpoint: ep.id,
      verification: { ok: true },
      response: { status: 503 },
    })
    expect(second).toMatchObject({
      attempt: 2,
      verification: { ok: false, reason: 'missing_header' },
      response: { status: 401 },
    })
    expect(ep.deliveries.map((d) => d.id)).toEqual(local.map((d) => d.id))
    expect(remote.deliveries.map((d) => d.id)).toEqual(r.deliveries.map((d) => d.id))
  })

  it('waits with a match function and names the endpoint when nothing matches', async () => {
    const r = await receiver()
    const remote = await connect(r)
    const ep = await remote.endpoint({ name: 'orders' })
    expect(ep.label).toBe(`endpoint "orders" ${ep.url}`)
    expect(ep.label).toBe(r.getEndpoint(ep.id)!.label)
    const waiting = ep.waitFor({
      match: (d) => d.json<{ type: string }>().type === 'order.paid',
      timeout: 5000,
    })
    await post(ep.url, '{"type":"order.created"}')
    await post(ep.url, '{"type":"order.paid"}')
    expect((await waiting)[0]?.attempt).toBe(2)

    const error = await ep.waitFor({ count: 3, timeout: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HookwrightError)
    expect(error).toMatchObject({
      code: 'HOOKWRIGHT_TIMEOUT',
      message: expect.stringContaining(ep.url),
    })
    expect((error as Error).message).toContain('order.created')
  })

  it('misses nothing sent right after it resolves, under concurrency', async () => {
    const r = await receiver()
    const remote = await connect(r)
    const ep = await remote.endpoint()
    const bodies = Array.from({ length: 200 }, (_, i) => `${i}:${randomBytes(8).toString('hex')}`)
    await Promise.all(bodies.map((body) => post(ep.url, body)))
    const got = await ep.waitFor({ count: 200, timeout: 10_000 })
    expect(got.map((d) => d.text()).sort()).toEqual([...bodies].sort())
    expect(new Set(got.map((d) => d.id)).size).toBe(200)
  })

  it('starts with what the receiver already keeps, unless replay is off', async () => {
    const r = await receiver()
    const early = r.endpoint()
    await post(early.url, 'before')
    const replayed = await connect(r)
    const fresh = await connect(r, { replay: false })
    expect(replayed.deliveries.map((d) => d.text())).toEqual(['before'])
    expect(fresh.deliveries).toEqual([])
    expect(replayed.info).toMatchObject({ name: 'hookwright', deliveries: 1 })

    await post(early.url, 'after')
    await fresh.waitFor({ timeout: 5000 })
    expect(fresh.deliveries.map((d) => d.text())).toEqual(['after'])
  })

  it('finds endpoints minted elsewhere, and tells on("delivery") listeners', async () => {
    const r = await receiver()
    const elsewhere = r.endpoint({ respond: 202 })
    await post(elsewhere.url, 'one')
    const remote = await connect(r)
    expect(await remote.getEndpoint('missing')).toBeUndefined()
    const ep = await remote.getEndpoint(elsewhere.id)
    expect(ep).toMatchObject({ id: elsewhere.id, url: elsewhere.url, options: { respond: 202 } })
    expect(await remote.getEndpoint(elsewhere.id)).toBe(ep)
    expect(ep!.deliveries.map((d) => d.text())).toEqual(['one'])

    const seen: Delivery[] = []
    const listener = (d: Delivery) => seen.push(d)
    remote.on('delivery', listener)
    await post(elsewhere.url, 'two')
    await ep!.waitFor({ count: 2, timeout: 5000 })
    remote.off('delivery', listener)
    expect(() => remote.on('message' as 'delivery', listener)).toThrow(/on\(event\)/)
    await post(elsewhere.url, 'three')
    await ep!.waitFor({ count: 3, timeout: 5000 })
    expect(seen.map((d) => d.text())).toEqual(['two'])

    // Not minted here, so not closed by this client's close().
    await remote.close()
    expect(r.getEndpoint(elsewhere.id)).toBe(elsewhere)
  })

  it('clears its own endpoints on the receiver, restarting their scripts', async () => {
    const r = await receiver()
    const remote = await connect(r)
    const ep = await remote.endpoint({ respond: [500, 200] })
    expect(await post(ep.url, 'a')).toBe(500)
    expect(await post(ep.url, 'b')).toBe(200)
    await ep.waitFor({ count: 2, timeout: 5000 })
    await ep.clear()
    expect(ep.deliveries).toEqual([])
    expect(r.getEndpoint(ep.id)!.deliveries).toEqual([])
    expect(await post(ep.url, 'c')).toBe(500)
    await ep.waitFor({ timeout: 5000 })

    await remote.clear()
    expect(remote.deliveries).toEqual([])
    expect(ep.deliveries).toEqual([])
    expect(await post(ep.url, 'd')).toBe(500)
  })

  it('closes the endpoints it minted and its connections, but not the receiver', async () => {
    const r = await receiver()
    const remote = await connect(r)
    const a = await remote.endpoint()
    const b = await remote.endpoint()
    await b.close()
    expect(r.getEndpoint(b.id)).toBeUndefined()
    await b.close()
    await remote.close()
    await remote.close()
    expect(r.getEndpoint(a.id)).toBeUndefined()
    expect(await post(a.url, 'late')).toBe(404)
    await expect(a.waitFor({ timeout: 10 })).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
    await expect(remote.waitFor({ timeout: 10 })).rejects.toMatchObject({
      code: 'HOOKWRIGHT_CLOSED',
    })
    await expect(remote.endpoint()).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
    // The receiver and its control API still answer another client.
    const other = await connect(r)
    expect((await other.endpoint()).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/h\//)
  })

  it('leaves no sockets or timers behind after close()', async () => {
    const r = await receiver()
    const handles = () =>
      process.getActiveResourcesInfo().filter((t) => t === 'TCPSocketWrap' || t === 'Timeout')
        .length
    // One round first, so lazily created things (undici's timers, fetch's keep-alive socket to
    // the receiver) exist before counting.
    const warm = await connectReceiver(r.url)
    await post((await warm.endpoint()).url, 'warm')
    await warm.close()
    const before = handles()
    for (let i = 0; i < 20; i++) {
      const remote = await connectReceiver(r.url)
      const ep = await remote.endpoint()
      await post(ep.url, `${i}`)
      await ep.waitFor({ timeout: 5000 })
      await remote.close()
    }
    expect(handles()).toBeLessThanOrEqual(before)
  })

  /** A receiver whose event streams the test can cut, as a flaky network or proxy would. */
  async function droppingReceiver() {
    const inner = controlRoute()
    const streams: ServerResponse[] = []
    const route: ReceiverRoute = {
      prefix: inner.prefix,
      handle(req, res, rec) {
        if (req.url?.includes('/events')) streams.push(res)
        return inner.handle(req, res, rec)
      },
      close: () => inner.close?.(),
    }
    const r = await receiver({ routes: [route] })
    return { r, streams, drop: () => streams.at(-1)!.socket!.destroy() }
  }

  it('gets a dropped event stream back without losing or repeating a delivery', async () => {
    const { r, streams, drop } = await droppingReceiver()
    const remote = await connect(r)
    const ep = await remote.endpoint()
    await post(ep.url, '1')
    await ep.waitFor({ timeout: 5000 })
    drop()
    // Sent while the client is away: the resumed stream (Last-Event-ID) brings them.
    await post(ep.url, '2')
    await post(ep.url, '3')
    const got = await ep.waitFor({ count: 3, timeout: 10_000 })
    expect(got.map((d) => d.text())).toEqual(['1', '2', '3'])
    expect(streams.length).toBeGreaterThan(1)
    await post(ep.url, '4')
    await ep.waitFor({ count: 4, timeout: 5000 })
    expect(remote.deliveries.map((d) => d.text())).toEqual(['1', '2', '3', '4'])
  })

  it('resumes from where it connected when the stream drops before any delivery', async () => {
    const { r, drop } = await droppingReceiver()
    await post(`${r.url}/before`, 'before')
    const remote = await connect(r, { replay: false })
    const ep = await remote.endpoint()
    drop()
    await post(ep.url, 'while away')
    await ep.waitFor({ timeout: 10_000 })
    await post(ep.url, 'after')
    await ep.waitFor({ count: 2, timeout: 5000 })
    expect(remote.deliveries.map((d) => d.text())).toEqual(['while away', 'after'])

    // A receiver that kept nothing at connect time: everything it keeps later is new.
    const empty = await droppingReceiver()
    const fresh = await connect(empty.r, { replay: false })
    const ep2 = await fresh.endpoint()
    empty.drop()
    await post(ep2.url, 'gap')
    expect((await ep2.waitFor({ timeout: 10_000 }))[0]?.text()).toBe('gap')
    expect(fresh.deliveries).toHaveLength(1)
  })

  it('fails pending waits with HOOKWRIGHT_REMOTE when the receiver goes away', async () => {
    const r = await createReceiver({ control: true })
    const remote = await connect(r)
    const ep = await remote.endpoint()
    const waiting = ep.waitFor({ timeout: 60_000 })
    await r.close()
    const error = await waiting.catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: expect.stringContaining(r.url),
    })
    expect((error as Error).message).toMatch(/Lost the event stream/)
    // Closing the client afterwards still works: its endpoints are gone with the receiver.
    await remote.close()
  })
})

it('keeps a bounded local copy and counts what it dropped', async () => {
  const r = await receiver()
  const remote = await connect(r, { maxDeliveries: 2 })
  const ep = await remote.endpoint()
  expect(await remote.getEndpoint(ep.id)).toBe(ep)
  for (const body of ['1', '2', '3']) await post(ep.url, body)
  await remote.waitFor({ count: 1, timeout: 5000, match: (d) => d.text() === '3' })
  expect(remote.deliveries.map((d) => d.text())).toEqual(['2', '3'])
  expect(remote.dropped).toBe(1)
  expect(r.deliveries).toHaveLength(3)
})

describe('connectReceiver errors', () => {
  it('says which URL and what failed when nothing answers', async () => {
    const r = await createReceiver()
    await r.close()
    const error = await connectReceiver(r.url, { timeout: 2000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HookwrightError)
    expect(error).toMatchObject({ code: 'HOOKWRIGHT_REMOTE' })
    expect((error as Error).message).toContain(
      `Could not reach the hookwright receiver at ${r.url}`,
    )
    expect((error as Error).message).toMatch(/GET \/_hookwright\/.*ECONNREFUSED/)
  })

  it('says a token is needed, or refused, without printing it', async () => {
    const token = 'tok_' + randomBytes(8).toString('hex')
    const r = await receiver({ control: { token } })
    await expect(connectReceiver(r.url)).rejects.toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: expect.stringMatching(/needs a control token.*connectReceiver\(url, \{ token \}\)/),
    })
    const wrong = `${token}-old`
    const error = (await connectReceiver(r.url, { token: wrong }).catch((e: unknown) => e)) as Error
    expect(error).toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: expect.stringMatching(/refused the control token/),
    })
    expect(error.message).not.toContain(wrong)
    expect(error.message).not.toContain(token)

    const remote = await connect(`${r.url}/_hookwright/`, { token })
    const ep = await remote.endpoint()
    await post(ep.url, 'ok')
    expect((await ep.waitFor({ timeout: 5000 }))[0]?.text()).toBe('ok')
  })

  it('says when the receiver has no control API', async () => {
    const r = await receiver({})
    await expect(connectReceiver(r.url)).rejects.toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: expect.stringMatching(/control on/),
    })
  })

  it('says what failed when an endpoint is gone on the receiver', async () => {
    const r = await receiver()
    const local = r.endpoint()
    const remote = await connect(r)
    const ep = (await remote.getEndpoint(local.id))!
    await local.close()
    await expect(ep.clear()).rejects.toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: expect.stringMatching(
        /DELETE \/_hookwright\/deliveries\?endpoint=.* failed with 404: No open endpoint/,
      ),
    })
    // Closing what is already closed on the receiver is not an error.
    await ep.close()
  })

  it('gives up on an event stream that does not start in time, or is refused', async () => {
    const inner = controlRoute()
    let hold = true
    const route: ReceiverRoute = {
      prefix: inner.prefix,
      handle(req, res, rec) {
        if (hold && req.url?.includes('/events')) {
          // A stream that opens but never says it is ready (a buffering proxy does this).
          res.writeHead(200, { 'content-type': 'text/event-stream' })
          res.write(': waiting\n\n')
          return
        }
        return inner.handle(req, res, rec)
      },
      close: () => inner.close?.(),
    }
    const r = await receiver({ routes: [route] })
    await expect(connectReceiver(r.url, { timeout: 200 })).rejects.toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: `The event stream of ${r.url} did not start within 200 ms.`,
    })
    hold = false
    await inner.close?.()
    await expect(connectReceiver(r.url)).rejects.toMatchObject({
      code: 'HOOKWRIGHT_REMOTE',
      message: expect.stringMatching(
        /GET \/_hookwright\/events\?replay=1 on .* failed with 503: The receiver is closing/,
      ),
    })
  })

  it('refuses misuse at once, keeping the receiver\u2019s own error codes', async () => {
    await expect(connectReceiver('127.0.0.1:4400')).rejects.toMatchObject({
      code: 'HOOKWRIGHT_INVALID_OPTION',
    })
    await expect(connectReceiver('ftp://127.0.0.1')).rejects.toMatchObject({
      code: 'HOOKWRIGHT_INVALID_OPTION',
    })
    await expect(connectReceiver('http://127.0.0.1:1', { token: '' })).rejects.toThrow(/\(hidden\)/)
    await expect(connectReceiver('http://127.0.0.1:1', { timeout: 0 })).rejects.toThrow(/timeout/)
    const r = await receiver()
    const remote: RemoteReceiver = await connect(r)
    await expect(remote.endpoint({ verify: { scheme: stripe, secret } })).rejects.toThrow(
      /scheme name/,
    )
    await expect(
      remote.endpoint({ verify: { scheme: 'nope' as never, secret } }),
    ).rejects.toMatchObject({
      code: 'HOOKWRIGHT_UNKNOWN_SCHEME',
    })
    await expect(remote.endpoint({ maxBodyBytes: -1 })).rejects.toMatchObject({
      code: 'HOOKWRIGHT_INVALID_OPTION',
      message: expect.stringContaining('maxBodyBytes'),
    })
  })
})
