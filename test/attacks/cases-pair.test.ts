import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { expectedState, objectOf, resolvePair } from '../../src/attacks/pair.js'
import { defaultPairs, HookwrightError } from '../../src/index.js'

/**
 * The event pair `out-of-order` sends newest first (checkReceiver): which pair a scheme gets,
 * how a fixture pair is made to describe one object, and what the receiver's record must hold
 * after both.
 */
const NOW = 1_800_000_000

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW * 1000)
})
afterEach(() => {
  vi.useRealTimers()
})

const misuse = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(HookwrightError)
    return { code: (error as HookwrightError).code, message: (error as Error).message }
  }
  return expect.unreachable('expected a HookwrightError')
}

describe('resolvePair', () => {
  it('gives Stripe and Standard Webhooks a default fixture pair, and other schemes none', () => {
    expect(defaultPairs).toEqual({
      stripe: ['stripe/customer.created', 'stripe/customer.updated'],
      standardWebhooks: ['standard-webhooks/contact.created', 'standard-webhooks/contact.updated'],
    })
    expect(Object.isFrozen(defaultPairs)).toBe(true)
    expect(resolvePair(undefined, 'github')).toBeUndefined()
    expect(resolvePair(undefined, 'svix')).toBeUndefined()
  })

  it('stripe: one customer, the update a minute after the creation', () => {
    const { older, newer } = resolvePair(undefined, 'stripe') as {
      older: { type: string; created: number; data: { object: { id: string; email: string } } }
      newer: { type: string; created: number; data: { object: { id: string; email: string } } }
    }
    expect(older.type).toBe('customer.created')
    expect(newer.type).toBe('customer.updated')
    expect(newer.data.object.id).toBe(older.data.object.id)
    expect(older.created).toBe(NOW - 60)
    expect(newer.created).toBe(NOW)
    expect(newer.data.object.email).not.toBe(older.data.object.email)
  })

  it('standardWebhooks: one contact (its data), the update a minute after the creation', () => {
    const { older, newer } = resolvePair(undefined, 'standardWebhooks') as {
      older: { type: string; timestamp: string; data: { id: string } }
      newer: { type: string; timestamp: string; data: { id: string } }
    }
    expect([older.type, newer.type]).toEqual(['contact.created', 'contact.updated'])
    expect(newer.data.id).toBe(older.data.id)
    expect(Date.parse(older.timestamp) / 1000).toBe(NOW - 60)
    expect(Date.parse(newer.timestamp) / 1000).toBe(NOW)
  })

  it('takes two fixture names for any scheme', () => {
    const pair = resolvePair(['stripe/customer.created', 'stripe/customer.updated'], 'github')!
    expect(objectOf(pair.newer)!.id).toBe(objectOf(pair.older)!.id)
  })

  it('takes { older, newer } payloads as given', () => {
    const older = { id: 'a', v: 1 }
    const newer = { id: 'a', v: 2 }
    const pair = resolvePair({ older, newer }, 'stripe')!
    expect(pair).toEqual({ older, newer })
    expect(pair.older).toBe(older)
    expect(pair.newer).toBe(newer)
    // Falsy payloads other than null and undefined are payloads.
    expect(resolvePair({ older: '', newer: '0' }, 'hmac')).toEqual({ older: '', newer: '0' })
  })

  it('refuses anything else, naming `pair` and what it takes', () => {
    for (const bad of [['stripe/customer.created'], ['a', 'b', 'c'], ['a', 2], []]) {
      expect(misuse(() => resolvePair(bad as never, 'stripe'))).toEqual({
        code: 'HOOKWRIGHT_INVALID_OPTION',
        message: expect.stringMatching(
          /^Invalid option `pair`: expected two fixture names \['stripe\/customer.created', 'stripe\/customer.updated'\], got /,
        ),
      })
    }
    for (const bad of [null, 'stripe', { older: {} }, { newer: {} }, { older: null, newer: {} }]) {
      expect(misuse(() => resolvePair(bad as never, 'stripe'))).toEqual({
        code: 'HOOKWRIGHT_INVALID_OPTION',
        message: expect.stringMatching(
          /^Invalid option `pair`: expected \{ older, newer \} payloads, or two fixture names, got /,
        ),
      })
    }
  })
})

describe('objectOf: the object an event describes', () => {
  it("Stripe's data.object, Standard Webhooks' data, else the event itself", () => {
    const customer = { id: 'cus_1' }
    expect(objectOf({ data: { object: customer } })).toBe(customer)
    const data = { id: 'c_1', object: 'contact' }
    expect(objectOf({ data })).toBe(data)
    // data.object that is not an object (a list, a string, null): data is the object.
    const list = { object: ['x'], id: 'l' }
    expect(objectOf({ data: list })).toBe(list)
    const nulled = { object: null, id: 'n' }
    expect(objectOf({ data: nulled })).toBe(nulled)
    const event = { id: 'e', data: null }
    expect(objectOf(event)).toBe(event)
    const flat = { id: 'e', data: 'text' }
    expect(objectOf(flat)).toBe(flat)
  })

  it('no object for text, bytes or nothing', () => {
    expect(objectOf('{"id":1}')).toBeUndefined()
    expect(objectOf(new Uint8Array([1]))).toBeUndefined()
    expect(objectOf(null)).toBeUndefined()
    expect(objectOf(undefined)).toBeUndefined()
    expect(objectOf(7)).toBeUndefined()
  })
})

describe('expectedState: what the record holds after both events', () => {
  it("the newer event's value of every field that differs, compared by value", () => {
    const older = {
      data: { object: { id: 'c', email: 'a@x', tags: ['a'], address: { city: 'A' } } },
    }
    const newer = {
      data: { object: { id: 'c', email: 'b@x', tags: ['a'], address: { city: 'B' }, phone: '1' } },
    }
    expect(expectedState({ older, newer })).toEqual({
      email: 'b@x',
      address: { city: 'B' },
      phone: '1',
    })
  })

  it('nothing when the events agree, and nothing for a field only the older one has', () => {
    expect(expectedState({ older: { a: 1, b: [1] }, newer: { a: 1, b: [1] } })).toEqual({})
    expect(expectedState({ older: { a: 1, gone: true }, newer: { a: 1 } })).toEqual({})
  })

  it('nothing to compare for payloads that are not objects', () => {
    expect(expectedState({ older: 'a', newer: 'b' })).toEqual({})
    expect(expectedState({ older: 'a', newer: { a: 1 } })).toEqual({ a: 1 })
  })
})
