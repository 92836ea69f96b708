import { describe, expect, it } from 'vitest'
import { createDelivery, createDeliveryStore, HookwrightError } from '../../src/index.js'
import type { Delivery } from '../../src/index.js'

// The edges of the store's bounds, inclusive where the docs say "at most". Deliveries here have
// no path, headers or query, so each costs exactly its body against maxBytes.

let n = 0
function bare(body: string): Delivery {
  n++
  return createDelivery({
    id: `b${n}`,
    endpoint: 'ep',
    attempt: n,
    receivedAt: 1_700_000_000_000 + n,
    method: 'POST',
    path: '',
    query: {},
    headers: {},
    rawBody: Buffer.from(body),
    response: { status: 200, headers: {}, delayMs: 0, action: 'respond' },
  })
}

const texts = (ds: readonly Delivery[]) => ds.map((d) => d.text())

describe('store bounds are "at most", inclusive', () => {
  it('maxBytes 8 keeps two 4-byte bodies, and drops the oldest for a third', () => {
    const store = createDeliveryStore({ maxBytes: 8 })
    store.add(bare('aaaa'))
    store.add(bare('bbbb'))
    expect({ kept: texts(store.deliveries), bytes: store.bytes, dropped: store.dropped }).toEqual({
      kept: ['aaaa', 'bbbb'],
      bytes: 8,
      dropped: 0,
    })
    store.add(bare('cccc'))
    expect({ kept: texts(store.deliveries), bytes: store.bytes, dropped: store.dropped }).toEqual({
      kept: ['bbbb', 'cccc'],
      bytes: 8,
      dropped: 1,
    })
  })

  it('maxDeliveries 2 keeps two, and maxBytes 0 keeps only the newest', () => {
    const two = createDeliveryStore({ maxDeliveries: 2 })
    two.add(bare('1'))
    two.add(bare('2'))
    expect(texts(two.deliveries)).toEqual(['1', '2'])
    two.add(bare('3'))
    expect(texts(two.deliveries)).toEqual(['2', '3'])
    const none = createDeliveryStore({ maxBytes: 0 })
    none.add(bare('x'))
    none.add(bare('y'))
    expect({ kept: texts(none.deliveries), dropped: none.dropped }).toEqual({
      kept: ['y'],
      dropped: 1,
    })
  })

  it('refuses bounds that are not counts or sizes, naming them', () => {
    for (const maxDeliveries of [0, -1, 1.5, Number.NaN, '5']) {
      expect(() => createDeliveryStore({ maxDeliveries: maxDeliveries as never })).toThrow(
        /^Invalid option `maxDeliveries`: expected an integer >= 1/,
      )
    }
    for (const maxBytes of [-1, Number.NaN, '5']) {
      expect(() => createDeliveryStore({ maxBytes: maxBytes as never })).toThrow(
        /^Invalid option `maxBytes`: expected a number of bytes >= 0/,
      )
    }
    expect(createDeliveryStore({ maxDeliveries: 1 }).deliveries).toEqual([])
  })
})

describe('waitFor bounds', () => {
  it('takes a timeout from 0 to 2147483647 ms (the largest a timer can wait)', async () => {
    const store = createDeliveryStore()
    for (const timeout of [2 ** 31, -1, Number.NaN, Infinity, '5']) {
      expect(() => store.waitFor({ timeout: timeout as never })).toThrow(
        /^Invalid option `waitFor\(\{ timeout \}\)`: expected milliseconds between 0 and 2147483647/,
      )
    }
    // The longest allowed wait is a real wait, ended here by an arrival.
    const longest = store.waitFor({ timeout: 2 ** 31 - 1 })
    const arrived = bare('late')
    store.add(arrived)
    expect(await longest).toEqual([arrived])
    // 0 does not wait: it answers from what is kept, or times out at once.
    expect(await store.waitFor({ timeout: 0 })).toEqual([arrived])
    const error = await createDeliveryStore({ label: 'empty store' })
      .waitFor({ timeout: 0 })
      .then(
        () => expect.unreachable('waitFor resolved with nothing kept'),
        (reason: unknown) => reason,
      )
    expect(error).toBeInstanceOf(HookwrightError)
    expect(error).toMatchObject({ code: 'HOOKWRIGHT_TIMEOUT' })
    expect((error as Error).message).toMatch(/^Timed out after 0 ms .*empty store/)
  })

  it('takes a count of whole deliveries, at least 1, and waits for that many', async () => {
    const store = createDeliveryStore()
    for (const count of [0, -1, 1.5, Number.NaN]) {
      expect(() => store.waitFor({ count: count as never })).toThrow(
        /^Invalid option `waitFor\(\{ count \}\)`: expected an integer >= 1/,
      )
    }
    const two = store.waitFor({ count: 2, timeout: 10_000 })
    const first = bare('1')
    const second = bare('2')
    store.add(first)
    store.add(second)
    expect(await two).toEqual([first, second])
  })
})
