import type { Socket } from 'node:net'
import { request } from 'undici'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createReceiver, HookwrightError, type Receiver } from '../../src/index.js'
import { openSocket } from './raw.js'

let receiver: Receiver | undefined
const sockets: Socket[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const s of sockets.splice(0)) s.destroy()
  await receiver?.close()
  receiver = undefined
})

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await request(url, { method: 'POST', body, headers })
  await res.body.dump()
  return res.statusCode
}

/** The first status line a raw socket reads, or rejects when the socket closes without one. */
function statusOf(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = ''
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (m) resolve(Number(m[1]))
    })
    socket.on('close', () => reject(new Error(`closed with no status line: ${text}`)))
    socket.on('error', () => {})
  })
}

describe('one memory budget for the whole receiver', () => {
  it('counts header bytes: deliveries with no body cannot grow past maxBytes', async () => {
    receiver = await createReceiver({ maxBytes: 64 * 1024 })
    const ep = receiver.endpoint()
    const padding = 'x'.repeat(2048)
    for (let i = 0; i < 100; i++) {
      expect(await post(ep.url, '', { 'x-padding': padding, 'x-n': String(i) })).toBe(200)
    }
    const kept = receiver.deliveries
    // 100 requests of more than 2 KiB of headers each do not fit in 64 KiB.
    expect(kept.length).toBeLessThan(100)
    expect(kept.length).toBeGreaterThan(10)
    expect(receiver.dropped).toBe(100 - kept.length)
    const headerBytes = kept.reduce(
      (n, d) =>
        n + Object.entries(d.headers).reduce((m, [k, v]) => m + k.length + String(v).length, 0),
      0,
    )
    expect(headerBytes).toBeLessThanOrEqual(64 * 1024)
    // The newest are the ones kept, and the endpoint's view holds exactly what the receiver does.
    expect(kept.at(-1)!.header('x-n')).toBe('99')
    expect(ep.deliveries.map((d) => d.id)).toEqual(kept.map((d) => d.id))
  })

  it('counts 512 bytes per delivery for the objects that hold it, beside its text', async () => {
    // Twenty requests with no body and ~100 bytes of headers: about 2 KiB of text in all, but
    // 10 KiB of memory once each kept delivery's objects count.
    receiver = await createReceiver({ maxBytes: 10 * 512 })
    const ep = receiver.endpoint()
    for (let i = 0; i < 20; i++) expect(await post(ep.url, '', { 'x-n': String(i) })).toBe(200)
    expect(receiver.deliveries.length).toBeLessThan(10)
    expect(receiver.deliveries.length).toBeGreaterThan(5)
    expect(receiver.deliveries.at(-1)!.header('x-n')).toBe('19')
  })

  it('counts bodies still arriving: one that cannot fit beside them is answered 413', async () => {
    receiver = await createReceiver({ maxBytes: 1024 * 1024 })
    const ep = receiver.endpoint()
    const url = new URL(ep.url)
    const head = (length: number) =>
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${length}\r\n\r\n`
    // Two unfinished bodies of 600 KiB each (of 700 KiB announced) cannot both be held in 1 MiB.
    const a = await openSocket(ep.url)
    const b = await openSocket(ep.url)
    sockets.push(a, b)
    const statusA = statusOf(a)
    const statusB = statusOf(b)
    const part = Buffer.alloc(600 * 1024, 'a')
    a.write(head(700 * 1024))
    a.write(part)
    b.write(head(700 * 1024))
    b.write(part)
    const first = await Promise.race([
      statusA.then((s) => ({ refused: a, other: b, otherStatus: statusB, s })),
      statusB.then((s) => ({ refused: b, other: a, otherStatus: statusA, s })),
    ])
    expect(first.s).toBe(413)
    // The other is still being read; once it is complete it is answered and kept.
    first.other.write(Buffer.alloc(100 * 1024, 'b'))
    expect(await first.otherStatus).toBe(200)
    const [refused, kept] = await ep.waitFor({ count: 2 })
    const order = [refused, kept].sort((x, y) => x!.rawBody.byteLength - y!.rawBody.byteLength)
    expect(order[0]!.error).toBe('over_budget')
    expect(order[0]!.rawBody.byteLength).toBe(0)
    expect(order[1]!.rawBody.byteLength).toBe(700 * 1024)
    expect(order[1]!.response.status).toBe(200)
  })

  it('answers 413 over_budget, keeping no body, when even the request head cannot fit', async () => {
    // Every request costs 512 bytes and its head: a 100-byte budget holds none.
    receiver = await createReceiver({ maxBytes: 100 })
    const ep = receiver.endpoint()
    const res = await request(ep.url, { method: 'POST', body: 'hello' }).catch((e: Error) => e)
    // The answer is a 413, or the socket closes under a client still writing: either is clean.
    if (!(res instanceof Error)) {
      expect(res.statusCode).toBe(413)
      expect(res.headers.connection).toBe('close')
      expect(await res.body.text()).toBe(
        "Body over what the receiver's memory budget (maxBytes) can hold now.",
      )
    }
    const [d] = await ep.waitFor()
    expect(d).toMatchObject({ error: 'over_budget', response: { status: 413 } })
    expect(d!.rawBody.byteLength).toBe(0)
  })

  it('drops the oldest kept deliveries to make room for a body as it arrives', async () => {
    receiver = await createReceiver({ maxBytes: 256 * 1024 })
    const ep = receiver.endpoint()
    const other = receiver.endpoint()
    for (let i = 0; i < 3; i++) expect(await post(other.url, Buffer.alloc(60 * 1024))).toBe(200)
    expect(other.deliveries).toHaveLength(3)
    expect(await post(ep.url, Buffer.alloc(200 * 1024))).toBe(200)
    // 3 × 60 KiB + 200 KiB > 256 KiB: the oldest went, from the receiver and the endpoint's view.
    expect(receiver.dropped).toBeGreaterThanOrEqual(2)
    expect(other.deliveries.length).toBe(3 - receiver.dropped)
    const held = receiver.deliveries.reduce((n, d) => n + d.rawBody.byteLength, 0)
    expect(held).toBeLessThanOrEqual(256 * 1024)
  })

  it('keeps endpoint views within the receiver: six endpoints share one budget', async () => {
    receiver = await createReceiver({ maxBytes: 200 * 1024 })
    const eps = Array.from({ length: 6 }, () => receiver!.endpoint())
    for (let round = 0; round < 4; round++) {
      for (const ep of eps) expect(await post(ep.url, Buffer.alloc(20 * 1024))).toBe(200)
    }
    const ids = new Set(receiver.deliveries.map((d) => d.id))
    let viewBytes = 0
    for (const ep of eps) {
      for (const d of ep.deliveries) {
        expect(ids.has(d.id)).toBe(true)
        viewBytes += d.rawBody.byteLength
      }
    }
    // Before: each endpoint kept its own 4 × 20 KiB, 480 KiB in all.
    expect(viewBytes).toBeLessThanOrEqual(200 * 1024)
    expect(receiver.dropped).toBeGreaterThan(0)
  })

  it('refuses a maxBodyBytes over the 256 MiB ceiling, in code and over the control API', async () => {
    receiver = await createReceiver({ control: true })
    let thrown: unknown
    try {
      receiver.endpoint({ maxBodyBytes: Number.MAX_SAFE_INTEGER })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(HookwrightError)
    expect((thrown as HookwrightError).code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect((thrown as Error).message).toMatch(/`maxBodyBytes`.*0 to 268435456.*9007199254740991/)
    expect(() => receiver!.endpoint({ maxBodyBytes: 256 * 1024 * 1024 })).not.toThrow()

    const res = await request(`${receiver.url}/_hookwright/endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maxBodyBytes: 9007199254740991 }),
    })
    const body = (await res.body.json()) as { error: { code: string; message: string } }
    expect(res.statusCode).toBe(400)
    expect(body.error.code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(body.error.message).toMatch(/maxBodyBytes.*268435456/)
  })

  it('lets an idle receiver give back deliveries past maxAgeMs', async () => {
    receiver = await createReceiver({ maxAgeMs: 50 })
    const ep = receiver.endpoint()
    expect(await post(ep.url, 'x'.repeat(1000))).toBe(200)
    // Nothing reads the store: the receiver's own sweep drops it (polled, with a deadline).
    const deadline = Date.now() + 5000
    while (receiver.dropped === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(receiver.dropped).toBe(1)
    expect(ep.deliveries).toEqual([])
  })

  it("drops an endpoint's deliveries past maxAgeMs when the endpoint alone is read", async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.parse('2026-01-01T00:00:00Z')
    vi.setSystemTime(start)
    receiver = await createReceiver({ maxAgeMs: 60 * 60 * 1000 })
    const ep = receiver.endpoint()
    expect(await post(ep.url, 'old')).toBe(200)
    vi.setSystemTime(start + 60 * 60 * 1000 + 1)
    // The endpoint's view is read first: it drops the expired delivery itself.
    expect(ep.deliveries).toEqual([])
  })

  it('drops deliveries older than maxAgeMs and counts them in dropped', async () => {
    // Only Date is faked: sockets and timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.parse('2026-01-01T00:00:00Z')
    vi.setSystemTime(start)
    receiver = await createReceiver({ maxAgeMs: 7 * 24 * 60 * 60 * 1000 })
    const ep = receiver.endpoint()
    for (let i = 0; i < 3; i++) expect(await post(ep.url, `old ${i}`)).toBe(200)
    vi.setSystemTime(start + 6 * 24 * 60 * 60 * 1000)
    expect(receiver.deliveries).toHaveLength(3)
    expect(await post(ep.url, 'new')).toBe(200)
    vi.setSystemTime(start + 7 * 24 * 60 * 60 * 1000 + 1)
    expect(receiver.deliveries.map((d) => d.text())).toEqual(['new'])
    expect(ep.deliveries.map((d) => d.text())).toEqual(['new'])
    expect(receiver.dropped).toBe(3)
    await expect(createReceiver({ maxAgeMs: 0 })).rejects.toThrow(/`maxAgeMs`/)
  })
})
