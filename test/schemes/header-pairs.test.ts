import { describe, expect, it } from 'vitest'
import { eachHeaderPair } from '../../src/schemes/define.js'
import { standardWebhooks, stripe } from '../../src/index.js'

function pairs(header: string, itemSep: string, pairSep: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  eachHeaderPair(header, itemSep, pairSep, (key, value) => out.push([key, value]))
  return out
}

describe('eachHeaderPair', () => {
  it("walks Stripe's and Standard Webhooks' headers item by item, as written", () => {
    expect(pairs('t=1700000000,v1=ab,v0=cd', ',', '=')).toEqual([
      ['t', '1700000000'],
      ['v1', 'ab'],
      ['v0', 'cd'],
    ])
    expect(pairs('v1,abc= v1a,xyz==', ' ', ',')).toEqual([
      ['v1', 'abc='],
      ['v1a', 'xyz=='],
    ])
    // Untrimmed, and a value keeps any later separator of its own kind.
    expect(pairs(' t = 1 ,v1=a=b', ',', '=')).toEqual([
      [' t ', ' 1 '],
      ['v1', 'a=b'],
    ])
  })

  it('skips items with no separator or an empty key, and empty items', () => {
    expect(pairs('junk,=novalue,,v1=,t=1,', ',', '=')).toEqual([
      ['v1', ''],
      ['t', '1'],
    ])
    expect(pairs('', ',', '=')).toEqual([])
    expect(pairs('=', ',', '=')).toEqual([])
  })

  it(
    'reads a hostile 4 MB header of items without a separator in linear time',
    {
      timeout: 10_000,
    },
    () => {
      // A walk that searched for '=' from each item's start would scan ~10^13 characters here
      // (over three minutes even at memchr speed); the linear walk takes milliseconds.
      const hostile = `${','.repeat(2_000_000)}${'x,'.repeat(1_000_000)}t=1`
      expect(pairs(hostile, ',', '=')).toEqual([['t', '1']])
      const spaced = `${' '.repeat(2_000_000)}${'v '.repeat(1_000_000)}v1,sig`
      expect(pairs(spaced, ' ', ',')).toEqual([['v1', 'sig']])
    },
  )

  it('lets the schemes read to the last item of such headers', () => {
    // Stripe: no t= anywhere; Standard Webhooks: only a v2 entry, found at the very end.
    const hostile = `${'x,'.repeat(200_000)}v9=1`
    expect(
      stripe.verify({ headers: { 'stripe-signature': hostile }, body: '{}', secret: 'whsec_x' }),
    ).toMatchObject({ ok: false, reason: 'malformed_header' })
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `${'v2 '.repeat(200_000)}v2,abc`,
    }
    expect(
      standardWebhooks.verify({
        headers,
        body: '{}',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    ).toMatchObject({ ok: false, reason: 'unsupported_version' })
  })
})
