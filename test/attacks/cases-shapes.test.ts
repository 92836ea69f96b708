import { describe, expect, it } from 'vitest'
import { badDeliveries, getScheme, hmac, type AnyScheme } from '../../src/index.js'

const NOW = 1_700_000_000
const payload = { id: 'evt_1', type: 'invoice.paid' }

describe('the shape of a case', () => {
  it('a reason only where the verifier refuses the request (and "replayed" for the replay)', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', { payload, secret, now: NOW })
    for (const c of cases) {
      const refused = c.group === 'signature' && c.expect === 'reject'
      expect({ name: c.name, hasReason: Object.hasOwn(c, 'reason') }).toEqual({
        name: c.name,
        hasReason: refused || c.sendTwice === true,
      })
    }
    expect(Object.keys(cases[0]!).sort()).toEqual(
      ['body', 'description', 'expect', 'group', 'headers', 'name'].sort(),
    )
  })
})

describe('empty-signature on a header with more than the signature', () => {
  // A scheme of one's own whose header carries a key id as long as the signature after it:
  // only the signature (the first of the longest runs) is emptied, the key id stays.
  const kid = 'f'.repeat(64)
  const base = hmac.with({ name: 'kid', header: 'x-sig', prefix: 'v1=' })
  const withKid: AnyScheme = {
    ...base,
    sign: (options) => {
      const signed = base.sign(options as Parameters<typeof base.sign>[0])
      return {
        ...signed,
        headers: { ...signed.headers, 'x-sig': `${signed.headers['x-sig']};kid=${kid}` },
      }
    },
    verify: (options) => {
      const headers = { ...(options.headers as Record<string, string>) }
      if (headers['x-sig'] !== undefined)
        headers['x-sig'] = headers['x-sig'].replace(/;kid=.*$/, '')
      return base.verify({ ...options, headers } as Parameters<typeof base.verify>[0])
    },
  }

  it('keeps the prefix and the key id, and removes the signature', () => {
    const cases = badDeliveries(withKid, { payload, secret: 's3cret', now: NOW })
    const valid = cases[0]!.headers['x-sig']!
    expect(valid).toMatch(new RegExp(`^v1=[0-9a-f]{64};kid=${kid}$`))
    const empty = cases.find((c) => c.name === 'empty-signature')!
    expect(empty.headers['x-sig']).toBe(`v1=;kid=${kid}`)
    expect(empty.reason).toBe('bad_signature')
  })
})
