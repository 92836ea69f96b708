import { describe, expect, it } from 'vitest'
import { diffPartial, formatValue, matchesPartial } from '../../src/assert/partial.js'

const event = {
  type: 'invoice.paid',
  data: {
    object: { amount_paid: 400, currency: 'usd', lines: [{ id: 'il_1' }, { id: 'il_2' }] },
  },
  'x-odd key': true,
}

describe('deep partial matching', () => {
  it('matches when every expected key matches, whatever else the payload holds', () => {
    expect(matchesPartial(event, { type: 'invoice.paid' })).toBe(true)
    expect(matchesPartial(event, { data: { object: { currency: 'usd' } } })).toBe(true)
    expect(matchesPartial(event, {})).toBe(true)
    expect(matchesPartial(event, { type: 'invoice.voided' })).toBe(false)
  })

  it('names each differing path with what was expected and what came', () => {
    expect(
      diffPartial(event, { type: 'invoice.paid', data: { object: { amount_paid: 500 } } }),
    ).toEqual([
      {
        path: 'data.object.amount_paid',
        message: 'data.object.amount_paid: expected 500, got 400',
      },
    ])
    expect(diffPartial(event, { data: { object: { refunded: false } } })[0]?.message).toBe(
      'data.object.refunded: expected false, got nothing',
    )
    expect(diffPartial(event, { type: { name: 'x' } })[0]?.message).toBe(
      'type: expected an object, got "invoice.paid"',
    )
    expect(diffPartial(event, { 'x-odd key': false })[0]?.message).toBe(
      '["x-odd key"]: expected false, got true',
    )
    expect(diffPartial('text', { a: 1 })[0]?.message).toBe('(body): expected an object, got "text"')
  })

  it('matches arrays position by position and requires the same length', () => {
    const lines = (value: unknown) => ({ data: { object: { lines: value } } })
    expect(matchesPartial(event, lines([{ id: 'il_1' }, {}]))).toBe(true)
    expect(diffPartial(event, lines([{}, { id: 'il_3' }])).map((d) => d.message)).toEqual([
      'data.object.lines[1].id: expected "il_3", got "il_2"',
    ])
    expect(diffPartial(event, lines([{ id: 'il_1' }])).map((d) => d.message)).toEqual([
      'data.object.lines: expected 1 item, got 2 items',
    ])
    expect(diffPartial(event, { type: [] })[0]?.message).toBe(
      'type: expected an array of 0, got "invoice.paid"',
    )
  })

  it('takes RegExps, predicates and asymmetric matchers in place of values', () => {
    expect(matchesPartial(event, { type: /^invoice\./ })).toBe(true)
    expect(matchesPartial(event, { data: { object: { amount_paid: expect.any(Number) } } })).toBe(
      true,
    )
    const positive = (n: number) => n > 0
    expect(matchesPartial(event, { data: { object: { amount_paid: positive } } })).toBe(true)
    expect(
      diffPartial(event, {
        type: /^customer\./g,
        data: { object: { currency: expect.stringContaining('eur'), amount_paid: positive } },
        missing: positive,
      }).map((d) => d.message),
    ).toEqual([
      'type: expected /^customer\\./g, got "invoice.paid"',
      'data.object.currency: expected StringContaining "eur", got "usd"',
      'missing: expected positive(), got nothing',
    ])
    const throws = () => {
      throw new Error('boom')
    }
    expect(matchesPartial(event, { type: throws })).toBe(false)
    expect(matchesPartial(event, { data: /x/ })).toBe(false)
  })

  it('stops after the limit so one huge mismatch stays readable', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]))
    expect(diffPartial({}, many)).toHaveLength(10)
    expect(diffPartial({}, many, 3)).toHaveLength(3)
  })
})

describe('formatValue', () => {
  it('renders values compactly and cuts long ones', () => {
    expect(formatValue({ a: [1, 'x', null], b: undefined })).toBe(
      '{"a":[1,"x",null],"b":undefined}',
    )
    expect(formatValue(10n)).toBe('10n')
    expect(formatValue(() => true)).toBe('a predicate')
    expect(formatValue('y'.repeat(200), 10)).toBe(`"${'y'.repeat(8)}…`)
    let deep: unknown = 1
    for (let i = 0; i < 10; i++) deep = [deep]
    expect(formatValue(deep)).toBe('[[[[[[[[…]]]]]]]]')
    expect(formatValue({ a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } })).toContain('{…}')
  })
})
