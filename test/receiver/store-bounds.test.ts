import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDelivery, createDeliveryStore, HookwrightError } from '../../src/index.js'
import type { Delivery } from '../../src/index.js'
import { createBudgetStore, DEFAULT_MAX_BYTES, storeBounds } from '../../src/receiver/store.js'

afterEach(() => {
  vi.useRealTimers()
})

// The edges of the store's bounds, inclusive where the docs say "at most". Deliveries here have
// no path, headers or query, so each costs exactly its body against maxBytes.

let n = 0
function bare(body: string, receivedAt = 1_700_000_000_000 + n): Delivery {
  n++
  return createDelivery({
    id: `b${n}`,
    endpoint: 'ep',
    attempt: n,
    receivedAt,
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

describe('the default bounds', () => {
  it('keep 10,000 deliveries, inclusive, and drop the oldest for the 10,001st', () => {
    const store = createDeliveryStore()
    const added = Array.from({ length: 10_001 }, (_, i) => bare(String(i)))
    for (const d of added.slice(0, 10_000)) store.add(d)
    expect({ kept: store.deliveries.length, dropped: store.dropped }).toEqual({
      kept: 10_000,
      dropped: 0,
    })
    store.add(added[10_000]!)
    expect(store.dropped).toBe(1)
    expect(store.deliveries[0]).toBe(added[1])
    expect(store.deliveries.at(-1)).toBe(added[10_000])
  })

  it('keep 256 MiB, inclusive, and drop the oldest for one byte more', () => {
    expect(DEFAULT_MAX_BYTES).toBe(268_435_456)
    // add() takes a delivery's cost, so no 256 MiB body is needed to fill the budget.
    const store = createDeliveryStore()
    const [a, b, c] = [bare('a'), bare('b'), bare('c')]
    store.add(a, 1)
    store.add(b, 256 * 1024 * 1024 - 1)
    expect({ kept: texts(store.deliveries), bytes: store.bytes }).toEqual({
      kept: ['a', 'b'],
      bytes: 268_435_456,
    })
    store.add(c, 1)
    expect({ kept: texts(store.deliveries), dropped: store.dropped }).toEqual({
      kept: ['b', 'c'],
      dropped: 1,
    })
  })
})

describe('what a delivery costs against maxBytes', () => {
  it('is its body, path, and each header and query name with each of its values', () => {
    const store = createDeliveryStore()
    store.add(
      createDelivery({
        id: 'cost',
        endpoint: 'ep',
        attempt: 1,
        receivedAt: 1_700_000_000_000,
        method: 'POST',
        path: '/p',
        // A repeated header or query field counts its name once per value.
        headers: { 'x-a': ['1', '22'], b: 'ccc' },
        query: { q: ['x', 'yy'], r: 'z' },
        rawBody: Buffer.from('body'),
        response: { status: 200, headers: {}, delayMs: 0, action: 'respond' },
      }),
    )
    // body 4 + path 2 + headers (3+1)+(3+2)+(1+3) + query (1+1)+(1+2)+(1+1)
    expect(store.bytes).toBe(4 + 2 + 13 + 7)
  })

  it('counts from zero after clear(), so the bounds hold for what arrives next', () => {
    const store = createDeliveryStore({ maxBytes: 8 })
    store.add(bare('aaaa'))
    store.add(bare('bbbb'))
    store.clear()
    expect({ kept: texts(store.deliveries), bytes: store.bytes }).toEqual({ kept: [], bytes: 0 })
    store.add(bare('cccc'))
    store.add(bare('dddd'))
    expect({ kept: texts(store.deliveries), bytes: store.bytes, dropped: store.dropped }).toEqual({
      kept: ['cccc', 'dddd'],
      bytes: 8,
      dropped: 0,
    })
    store.add(bare('eeee'))
    expect({ kept: texts(store.deliveries), bytes: store.bytes, dropped: store.dropped }).toEqual({
      kept: ['dddd', 'eeee'],
      bytes: 8,
      dropped: 1,
    })
  })

  it('stays exact after thousands of drops', () => {
    const store = createDeliveryStore({ maxDeliveries: 3, maxBytes: 30 })
    for (let i = 0; i < 5000; i++) store.add(bare(String(i % 10).repeat(1 + (i % 7))))
    // The last three: i = 4997, 4998, 4999 (bodies of 7, 1 and 2 characters).
    expect({ kept: texts(store.deliveries), bytes: store.bytes, dropped: store.dropped }).toEqual({
      kept: ['7777777', '8', '99'],
      bytes: 10,
      dropped: 4997,
    })
    // Past both bounds: one goes for the count, one more for the bytes (10 + 28 > 30).
    store.add(bare('x'.repeat(28)))
    expect({ kept: texts(store.deliveries), bytes: store.bytes }).toEqual({
      kept: ['99', 'x'.repeat(28)],
      bytes: 30,
    })
  })
})

describe('maxAgeMs', () => {
  it('keeps a delivery exactly maxAgeMs old and drops it one millisecond later', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = 1_800_000_000_000
    vi.setSystemTime(start)
    const store = createDeliveryStore({ maxAgeMs: 1000 })
    store.add(bare('old', start))
    store.add(bare('newer', start + 500))
    vi.setSystemTime(start + 1000)
    expect(texts(store.deliveries)).toEqual(['old', 'newer'])
    vi.setSystemTime(start + 1001)
    expect({ kept: texts(store.deliveries), dropped: store.dropped }).toEqual({
      kept: ['newer'],
      dropped: 1,
    })
    vi.setSystemTime(start + 1501)
    expect({ kept: texts(store.deliveries), bytes: store.bytes }).toEqual({ kept: [], bytes: 0 })
  })

  it('keeps deliveries of any age by default', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_800_000_000_000)
    const store = createDeliveryStore()
    store.add(bare('ancient', 0))
    expect(texts(store.deliveries)).toEqual(['ancient'])
  })

  it('refuses an age that is not a positive number of milliseconds, naming it', () => {
    for (const maxAgeMs of [0, -1, Number.NaN, '5']) {
      expect(() => createDeliveryStore({ maxAgeMs: maxAgeMs as never })).toThrow(
        /^Invalid option `maxAgeMs`: expected a number of milliseconds > 0 \(7 days: 604800000\)/,
      )
    }
    expect(() => createDeliveryStore({ maxAgeMs: 1 })).not.toThrow()
  })
})

describe("the receiver's budget: kept deliveries and bodies still arriving", () => {
  const budget = (maxBytes: number, dropped: Delivery[] = []) =>
    createBudgetStore(storeBounds({ maxBytes }), 'receiver', (d) => dropped.push(d))

  it('lets bodies in flight fill maxBytes exactly, and refuses one byte more', () => {
    const store = budget(100)
    expect(store.reserve(60)).toBe(true)
    expect(store.reserve(40)).toBe(true)
    expect(store.reserve(1)).toBe(false)
    store.release(40)
    expect(store.reserve(41)).toBe(false)
    expect(store.reserve(40)).toBe(true)
  })

  it('gives back no more than was counted: a double release frees nothing extra', () => {
    const store = budget(100)
    expect(store.reserve(30)).toBe(true)
    store.release(30)
    store.release(1000)
    expect(store.reserve(100)).toBe(true)
    expect(store.reserve(1)).toBe(false)
  })

  it('drops the oldest kept deliveries to make room for bytes in flight, telling onDrop', () => {
    const dropped: Delivery[] = []
    const store = budget(100, dropped)
    const [a, b] = [bare('a'), bare('b')]
    store.add(a, 30)
    store.add(b, 30)
    // 60 kept + 40 in flight is exactly the budget: nothing goes.
    expect(store.reserve(40)).toBe(true)
    expect({ kept: texts(store.deliveries), dropped }).toEqual({ kept: ['a', 'b'], dropped: [] })
    expect(store.reserve(1)).toBe(true)
    expect({ kept: texts(store.deliveries), dropped, bytes: store.bytes }).toEqual({
      kept: ['b'],
      dropped: [a],
      bytes: 30,
    })
    // In-flight bytes alone over the budget: refused, and nothing more is dropped for them.
    expect(store.reserve(60)).toBe(false)
    expect({ kept: texts(store.deliveries), count: store.dropped }).toEqual({
      kept: ['b'],
      count: 1,
    })
  })

  it('counts bytes in flight when a delivery is kept, keeping the newest whatever it costs', () => {
    const dropped: Delivery[] = []
    const store = budget(100, dropped)
    expect(store.reserve(50)).toBe(true)
    const [a, b, c] = [bare('a'), bare('b'), bare('c')]
    store.add(a, 25)
    store.add(b, 25)
    expect(texts(store.deliveries)).toEqual(['a', 'b'])
    store.add(c, 80)
    expect({ kept: texts(store.deliveries), dropped }).toEqual({ kept: ['c'], dropped: [a, b] })
  })

  it('drops what is past maxAgeMs when expire() is called', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = 1_800_000_000_000
    vi.setSystemTime(start)
    const dropped: Delivery[] = []
    const store = createBudgetStore(storeBounds({ maxAgeMs: 10 }), 'receiver', (d) =>
      dropped.push(d),
    )
    const old = bare('old', start)
    store.add(old, 1)
    vi.setSystemTime(start + 11)
    store.expire()
    expect({ dropped, count: store.dropped, bytes: store.bytes }).toEqual({
      dropped: [old],
      count: 1,
      bytes: 0,
    })
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
