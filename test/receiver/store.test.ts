import { runInThisContext } from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createDelivery,
  createDeliveryStore,
  createReceiver,
  HookwrightError,
  type Delivery,
  type Receiver,
} from '../../src/index.js'

let n = 0
function delivery(
  body: string,
  extra: Partial<Parameters<typeof createDelivery>[0]> = {},
): Delivery {
  n++
  return createDelivery({
    id: `d${n}`,
    endpoint: 'ep',
    attempt: n,
    receivedAt: 1_700_000_000_000 + n,
    method: 'POST',
    path: '/h/ep',
    query: {},
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from(body),
    response: { status: 200, headers: {}, delayMs: 0, action: 'respond' },
    ...extra,
  })
}

let receiver: Receiver | undefined
afterEach(async () => {
  vi.useRealTimers()
  await receiver?.close()
  receiver = undefined
})

describe('createDeliveryStore', () => {
  it('keeps every delivery below the bounds, in arrival order', () => {
    const store = createDeliveryStore({ maxDeliveries: 5000 })
    const added = Array.from({ length: 5000 }, (_, i) => delivery(`{"i":${i}}`))
    for (const d of added) store.add(d)
    expect(store.deliveries).toHaveLength(5000)
    expect(store.deliveries[0]).toBe(added[0])
    expect(store.deliveries.at(-1)).toBe(added.at(-1))
    expect(store.dropped).toBe(0)
  })

  it('drops the oldest past maxDeliveries and counts them', () => {
    const store = createDeliveryStore({ maxDeliveries: 3 })
    const added = Array.from({ length: 5000 }, (_, i) => delivery(String(i)))
    for (const d of added) store.add(d)
    expect(store.deliveries.map((d) => d.text())).toEqual(['4997', '4998', '4999'])
    expect(store.dropped).toBe(4997)
  })

  it('drops the oldest past maxBytes, keeping the newest even if it alone is over', () => {
    // Each costs its body plus 33 bytes: "content-type" "application/json" and "/h/ep".
    const store = createDeliveryStore({ maxBytes: 80 })
    store.add(delivery('aaaa'))
    store.add(delivery('bbbb'))
    expect(store.bytes).toBe(74)
    store.add(delivery('cccc'))
    expect(store.deliveries.map((d) => d.text())).toEqual(['bbbb', 'cccc'])
    store.add(delivery('x'.repeat(20)))
    expect(store.deliveries.map((d) => d.text())).toEqual(['x'.repeat(20)])
    expect(store.dropped).toBe(3)
    expect(store.bytes).toBe(53)
    store.clear()
    expect(store.deliveries).toEqual([])
    expect(store.bytes).toBe(0)
  })

  it('gives snapshots that later arrivals do not change', () => {
    const store = createDeliveryStore()
    store.add(delivery('1'))
    const before = store.deliveries
    store.add(delivery('2'))
    expect(before).toHaveLength(1)
    expect(store.deliveries).toHaveLength(2)
    expect(Object.isFrozen(before)).toBe(true)
  })

  it('resolves waitFor with the first matching deliveries, earlier ones counting', async () => {
    const store = createDeliveryStore()
    store.add(delivery('{"type":"a"}'))
    store.add(delivery('{"type":"b"}'))
    const isA = (d: Delivery): boolean => d.json<{ type: string }>().type === 'a'
    const waiting = store.waitFor({ count: 3, match: isA })
    store.add(delivery('{"type":"a"}'))
    store.add(delivery('not json'))
    store.add(delivery('{"type":"a"}'))
    store.add(delivery('{"type":"a"}'))
    const got = await waiting
    expect(got.map((d) => d.attempt)).toEqual([
      store.deliveries[0]!.attempt,
      store.deliveries[2]!.attempt,
      store.deliveries[4]!.attempt,
    ])
    // Already there: resolves at once with the first ones.
    expect(await store.waitFor({ count: 2, match: isA })).toEqual(got.slice(0, 2))
  })

  it('times out with HOOKWRIGHT_TIMEOUT saying what it waited for and what arrived', async () => {
    const store = createDeliveryStore({ label: 'endpoint http://x/h/1' })
    for (let i = 0; i < 13; i++) store.add(delivery(`{"type":"charge.failed","i":${i}}`))
    store.add(delivery('plain text'))
    const error = await store
      .waitFor({
        count: 2,
        timeout: 30,
        match: (d) => d.json<{ type: string }>().type === 'invoice.paid',
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HookwrightError)
    const { code, message } = error as HookwrightError
    expect(code).toBe('HOOKWRIGHT_TIMEOUT')
    expect(message).toContain('Timed out after 30 ms waiting for 2 deliveries')
    expect(message).toContain(`d.json().type === "invoice.paid"`)
    expect(message).toContain('at endpoint http://x/h/1')
    expect(message).toContain('14 deliveries arrived, 0 matched')
    expect(message).toContain('charge.failed')
    expect(message).toContain('… and 4 more')
    expect(message).toContain('The match function threw')
  })

  it('names a named matcher and says when nothing arrived', async () => {
    const store = createDeliveryStore()
    function isInvoicePaid(d: Delivery): boolean {
      return d.method === 'PATCH'
    }
    const error = (await store
      .waitFor({ timeout: 1, match: isInvoicePaid })
      .catch((e) => e)) as Error
    expect(error.message).toMatch(/waiting for 1 delivery matching isInvoicePaid/)
    expect(error.message).toContain('Nothing arrived.')
  })

  it('mentions dropped deliveries in a timeout', async () => {
    const store = createDeliveryStore({ maxDeliveries: 1 })
    store.add(delivery('a'))
    store.add(delivery('b'))
    const error = (await store.waitFor({ count: 5, timeout: 1 }).catch((e) => e)) as Error
    expect(error.message).toContain('1 older delivery was dropped')
  })

  it('keeps real time when the test installs fake timers', async () => {
    vi.useFakeTimers()
    const store = createDeliveryStore()
    // Never advanced: if waitFor used the global setTimeout this would hang until the test timeout.
    const error = await store.waitFor({ timeout: 20 }).catch((e: HookwrightError) => e)
    expect(error).toMatchObject({ code: 'HOOKWRIGHT_TIMEOUT' })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('waits for real HTTP deliveries under fake timers, with scripted delays still running', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ respond: { delayMs: 30, status: 201 } })
    vi.useFakeTimers()
    const pending = fetch(ep.url, { method: 'POST', body: 'under fake timers' })
    const [d] = await ep.waitFor({ timeout: 5000 })
    expect(d!.text()).toBe('under fake timers')
    expect((await pending).status).toBe(201)
  })

  it('rejects pending and later waiters with HOOKWRIGHT_CLOSED on close', async () => {
    const store = createDeliveryStore({ label: 'x' })
    const waiting = store.waitFor({ timeout: 60_000 })
    store.close()
    await expect(waiting).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
    await expect(store.waitFor()).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
  })

  it('refuses bad options naming them', () => {
    expect(() => createDeliveryStore({ maxDeliveries: 1.5 })).toThrow(/`maxDeliveries`/)
    expect(() => createDeliveryStore({ maxBytes: -1 })).toThrow(/`maxBytes`/)
    const store = createDeliveryStore()
    expect(() => store.waitFor({ count: 0 })).toThrow(/count/)
    expect(() => store.waitFor({ timeout: -5 })).toThrow(/timeout/)
    expect(() => store.waitFor({ match: 'x' as never })).toThrow(
      'Invalid option `waitFor({ match })`: expected a function (delivery) => boolean, got "x".',
    )
  })

  it('refuses waitFor options that are not an object, naming them', () => {
    const store = createDeliveryStore()
    for (const options of [null, 'x', 5]) {
      expect(() => store.waitFor(options as never)).toThrow(
        /^Invalid option `waitFor\(options\)`: expected an object \{ count\?, timeout\?, match\? \}/,
      )
    }
  })

  it('resolves with a list of its own: later arrivals do not add to it', async () => {
    const store = createDeliveryStore()
    const waiting = store.waitFor({ count: 2, timeout: 10_000 })
    const [a, b, c] = [delivery('a'), delivery('b'), delivery('c')]
    store.add(a)
    store.add(b)
    const got = await waiting
    store.add(c)
    expect(got).toEqual([a, b])
  })

  it('lists up to ten arrivals in a timeout, and says how many more there were', async () => {
    const ten = createDeliveryStore()
    for (let i = 0; i < 10; i++) ten.add(delivery(`{"i":${i}}`))
    const all = (await ten.waitFor({ count: 11, timeout: 1 }).catch((e) => e)) as Error
    expect(all.message).toContain('10 deliveries arrived, 10 matched:')
    expect(all.message).toContain('{"i":9}')
    expect(all.message).not.toContain('more')
    const eleven = createDeliveryStore()
    for (let i = 0; i < 11; i++) eleven.add(delivery(`{"i":${i}}`))
    const cut = (await eleven.waitFor({ count: 12, timeout: 1 }).catch((e) => e)) as Error
    expect(cut.message).toContain('{"i":9}')
    expect(cut.message).not.toContain('{"i":10}')
    expect(cut.message).toMatch(/\n {2}… and 1 more$/)
  })

  it('says "1 delivery arrived" and "2 older deliveries were dropped" in a timeout', async () => {
    const store = createDeliveryStore({ maxDeliveries: 1 })
    for (const body of ['a', 'b', 'c']) store.add(delivery(body))
    const error = (await store.waitFor({ count: 2, timeout: 1 }).catch((e) => e)) as Error
    expect(error.message).toMatch(
      /^Timed out after 1 ms waiting for 2 deliveries at delivery store\.\n/,
    )
    expect(error.message).toContain('\n1 delivery arrived, 1 matched:\n')
    expect(error.message).toMatch(/\n\(2 older deliveries were dropped by the store bounds\.\)$/)
  })

  it('shows a long matcher cut at 200 characters, and a long named one cut at 80', async () => {
    const store = createDeliveryStore()
    const error = (await store
      .waitFor({
        timeout: 1,
        match: (d) =>
          d.method === 'POST' &&
          d.path === '/h/a-path-long-enough-to-matter' &&
          d.header('content-type') === 'application/json' &&
          d.json<{ type: string }>().type === 'customer.subscription.trial_will_end' &&
          d.query.account === 'acct_1234567890',
      })
      .catch((e) => e)) as Error
    const shown = /matching (.*) at delivery store\./.exec(error.message)![1]!
    expect(shown).toHaveLength(200)
    expect(shown).toMatch(/^\(d\) => d\.method === "POST" && d\.path === /)
    expect(shown.endsWith('…')).toBe(true)
    function isTheLongOne(d: Delivery): boolean {
      return d.text() === 'a long body that makes this function longer than eighty characters'
    }
    const named = (await store
      .waitFor({ timeout: 1, match: isTheLongOne })
      .catch((e) => e)) as Error
    const source = /matching isTheLongOne \((.*)\) at delivery store\./.exec(named.message)![1]!
    expect(source).toHaveLength(80)
    expect(source).toMatch(/^function isTheLongOne\(d\) \{ return d\.text\(\) === /)
  })

  it('says no more than what happened: no dropped, matcher or near-miss notes when there were none', async () => {
    const store = createDeliveryStore({ label: 's' })
    store.add(delivery('only'))
    const error = (await store.waitFor({ count: 2, timeout: 1 }).catch((e) => e)) as Error
    expect(error.message).toMatch(
      /^Timed out after 1 ms waiting for 2 deliveries at s\.\n1 delivery arrived, 1 matched:\n {2}[^\n]*only[^\n]*$/,
    )
    // The stack is the message, then the frames of the waitFor call.
    const stack = error.stack!.split('\n')
    expect(stack[0]).toBe(`HookwrightError: ${error.message.split('\n')[0]}`)
    expect(stack[3]).toMatch(/^ {4}at .*store\.test\.ts:\d+:\d+/)
  })

  it('names what a throwing matcher threw, an Error or not', async () => {
    const store = createDeliveryStore()
    store.add(delivery('not json'))
    const json = (await store
      .waitFor({ timeout: 1, match: (d) => d.json<{ ok: boolean }>().ok })
      .catch((e) => e)) as Error
    expect(json.message).toMatch(
      /\nThe match function threw on at least one delivery: HookwrightError: Delivery \S+ \(POST \/h\/ep\) has a body that is not JSON: [^\n]+$/,
    )
    const thrown = (await store
      .waitFor({
        timeout: 1,
        match: () => {
          throw 'no such field'
        },
      })
      .catch((e) => e)) as Error
    expect(
      thrown.message.endsWith('\nThe match function threw on at least one delivery: no such field'),
    ).toBe(true)
  })

  it('shows an arrow function by its source, even when it has a name, with or without spaces', async () => {
    const store = createDeliveryStore()
    // Written as plain JavaScript (not through the test's transform, which adds parentheses).
    const [spaced, tight] = runInThisContext(
      '(() => { const isPost = delivery => delivery.method === "POST"; const isPut = delivery=>delivery.method === "PUT"; return [isPost, isPut] })()',
    ) as Array<(d: Delivery) => boolean>
    expect([spaced!.name, tight!.name]).toEqual(['isPost', 'isPut'])
    for (const [match, shown] of [
      [spaced!, 'delivery => delivery.method === "POST"'],
      [tight!, 'delivery=>delivery.method === "PUT"'],
    ] as const) {
      const error = (await store.waitFor({ timeout: 1, match }).catch((e) => e)) as Error
      expect(error.message).toContain(`waiting for 1 delivery matching ${shown} at delivery store.`)
    }
  })

  it('shows a named function by name and source, cutting only sources past 80 (200 for others)', async () => {
    const store = createDeliveryStore()
    const shown = async (match: (d: Delivery) => boolean) => {
      const error = (await store.waitFor({ timeout: 1, match }).catch((e) => e)) as Error
      return /matching (.*) at delivery store\./.exec(error.message)![1]!
    }
    // Plain JavaScript sources of exact lengths (the test's own transform would reprint them).
    const [short, at80, over80, inner, at200] = runInThisContext(`[
      function isPut(d) { return d.method === "PUT" },
      function isEighty(d) { return d.method === "${'P'.repeat(33)}" },
      function isEightyOne(d) { return d.method === "${'P'.repeat(31)}" },
      function hasPaid(d) { return d.json().items.some(i => i.paid) },
      (d) => d.method === "${'P'.repeat(178)}",
    ]`) as Array<(d: Delivery) => boolean>
    expect(await shown(short!)).toBe('isPut (function isPut(d) { return d.method === "PUT" })')
    const eighty = String(at80)
    expect(eighty).toHaveLength(80)
    expect(await shown(at80!)).toBe(`isEighty (${eighty})`)
    const eightyOne = String(over80)
    expect(eightyOne).toHaveLength(81)
    expect(await shown(over80!)).toBe(`isEightyOne (${eightyOne.slice(0, 79)}…)`)
    // An arrow inside a named function's body does not make it an arrow function.
    expect(await shown(inner!)).toBe(`hasPaid (${String(inner)})`)
    expect(String(at200)).toHaveLength(200)
    expect(await shown(at200!)).toBe(String(at200))
  })

  it('names the store and the wait in the HOOKWRIGHT_CLOSED error of close()', async () => {
    const store = createDeliveryStore({ label: 'my interceptor' })
    const waiting = store.waitFor({ count: 3, timeout: 60_000 })
    store.close()
    await expect(waiting).rejects.toThrow(
      'my interceptor is closed. waiting for 3 deliveries at my interceptor.',
    )
    await expect(store.waitFor()).rejects.toThrow(/^my interceptor is closed\.$/)
    const other = createDeliveryStore({ label: 'other' })
    const pending = other.waitFor({ timeout: 60_000 })
    other.close('Shut down by the test.')
    await expect(pending).rejects.toMatchObject({
      code: 'HOOKWRIGHT_CLOSED',
      message: 'Shut down by the test. waiting for 1 delivery at other.',
    })
  })

  it("keeps an endpoint's new deliveries after clear() when the receiver drops its old ones", async () => {
    receiver = await createReceiver({ maxDeliveries: 2 })
    const a = receiver.endpoint()
    const b = receiver.endpoint()
    const post = async (url: string, body: string) =>
      (await fetch(url, { method: 'POST', body })).text()
    await post(a.url, 'a1')
    a.clear()
    await post(a.url, 'a2')
    // The receiver holds a1, a2; a third delivery drops a1, which a's view no longer holds.
    await post(b.url, 'b1')
    expect(receiver.deliveries.map((d) => d.text())).toEqual(['a2', 'b1'])
    expect(a.deliveries.map((d) => d.text())).toEqual(['a2'])
    // Now the receiver drops a2, and a's view with it.
    await post(b.url, 'b2')
    expect(a.deliveries).toEqual([])
    expect(b.deliveries.map((d) => d.text())).toEqual(['b1', 'b2'])
  })

  it('bounds a receiver and its endpoints with maxDeliveries and reports dropped', async () => {
    receiver = await createReceiver({ maxDeliveries: 2 })
    const ep = receiver.endpoint()
    for (let i = 0; i < 5; i++)
      await (await fetch(ep.url, { method: 'POST', body: String(i) })).text()
    expect(receiver.deliveries.map((d) => d.text())).toEqual(['3', '4'])
    expect(ep.deliveries.map((d) => d.text())).toEqual(['3', '4'])
    expect(receiver.dropped).toBe(3)
  })
})
