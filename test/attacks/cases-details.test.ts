import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolvePair } from '../../src/attacks/pair.js'
import { signatureVariants } from '../../src/attacks/variants.js'
import { badDeliveries, getScheme, HookwrightError, type BadDelivery } from '../../src/index.js'

/** What reports print and receivers see of each case, in the words and ids users meet. */
const NOW = 1_700_000_000
const find = (cases: BadDelivery[], name: string) => cases.find((c) => c.name === name)!

afterEach(() => {
  vi.useRealTimers()
})

describe('the words a report prints for each case', () => {
  it('signature schemes', () => {
    const cases = badDeliveries('stripe', {
      payload: { id: 'evt_1', type: 't' },
      secret: 'whsec_x',
      now: NOW,
      maxBodyBytes: 100,
    })
    const said = Object.fromEntries(cases.map((c) => [c.name, c.description]))
    expect(said).toMatchObject({
      'tampered-body':
        'One character of the body changed after signing: the signature no longer matches.',
      'wrong-secret': 'Signed with another secret of the same kind.',
      'replayed-message-id':
        'A valid delivery sent twice: the first must be accepted; the second must be rejected or ignored as a duplicate (same message id and body), never processed twice.',
      'json-whitespace-changed':
        'The body re-serialised with other whitespace after signing: a receiver that verifies JSON.stringify(req.body) instead of the raw bytes accepts it.',
      'json-keys-reordered': 'The body re-serialised with its keys in another order after signing.',
      'valid-pretty-json':
        'Correctly signed pretty-printed JSON (as Stripe sends it): accepted only by a receiver that verifies the raw bytes rather than a re-serialisation.',
      'empty-body': "An empty body with the valid delivery's signature headers.",
      'retried-with-new-signature':
        'The same message (same id in the header and the payload) delivered again later with a fresh timestamp and signature, as providers retry: both answered 2xx, processed once.',
    })
  })

  it('token schemes', () => {
    const cases = badDeliveries('gitlab', { payload: { id: 'evt_1' }, secret: 'tok', now: NOW })
    expect(Object.fromEntries(cases.map((c) => [c.name, c.description]))).toMatchObject({
      'wrong-token': 'A token of the same length that differs in its last character.',
      'token-too-short':
        'The token without its last character: a prefix comparison would accept it.',
      'token-too-long':
        'The token with one character more: a comparison of only the expected length would accept it.',
    })
  })
})

describe('ids, groups and urls', () => {
  it('each accepted or replayed case has its own suffixed id, in the header and in the payload', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', {
      payload: { id: 'evt_1', type: 't' },
      secret,
      now: NOW,
      id: 'msg_1',
      url: 'https://example.com/hooks',
      maxBodyBytes: 200,
    })
    const ids = (name: string) => {
      const c = find(cases, name)
      return [c.headers['webhook-id'], JSON.parse(Buffer.from(c.body).toString('utf8')).id]
    }
    expect(ids('replayed-message-id')).toEqual(['msg_1_replay', 'evt_1_replay'])
    expect(ids('retried-with-new-signature')).toEqual(['msg_1_retry', 'evt_1_retry'])
    expect(ids('timestamp-just-inside')).toEqual(['msg_1_inside', 'evt_1_inside'])
    expect(ids('valid-pretty-json')).toEqual(['msg_1_pretty', 'evt_1_pretty'])
    expect(find(cases, 'oversized-body').headers['webhook-id']).toBe('msg_1_oversized')
    for (const c of cases) {
      const group =
        c.name === 'replayed-message-id' || c.name === 'retried-with-new-signature'
          ? 'idempotency'
          : c.name === 'oversized-body'
            ? 'robustness'
            : 'signature'
      expect({ name: c.name, group: c.group }).toEqual({ name: c.name, group })
      // The scheme calls the URL given: no case carries a url of its own.
      expect({ name: c.name, url: Object.hasOwn(c, 'url') }).toEqual({ name: c.name, url: false })
    }
  })

  it('the oversized body of a text payload keeps its own message id', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', {
      payload: 'text',
      secret,
      now: NOW,
      id: 'm',
      maxBodyBytes: 10,
    })
    expect(find(cases, 'oversized-body').headers['webhook-id']).toBe('m_oversized')
  })

  it('a bad `now` is refused, naming `now`', () => {
    try {
      badDeliveries('stripe', { payload: {}, secret: 's', now: 'x' as never })
      expect.unreachable('expected a HookwrightError')
    } catch (error) {
      expect(error).toBeInstanceOf(HookwrightError)
      expect((error as Error).message).toMatch(/`now`/)
    }
  })
})

describe('small edges', () => {
  it('tampered-body: a JSON number that starts the body', () => {
    const tampered = (p: string) =>
      find(badDeliveries('hmac', { payload: p, secret: 's', maxBodyBytes: 64 }), 'tampered-body')
    expect(tampered('42').body).toBe('52')
  })

  it("wrong-token: a token ending in 'a' ends in 'b'", () => {
    const cases = badDeliveries('gitlab', { payload: {}, secret: 'abca', maxBodyBytes: 64 })
    expect(find(cases, 'wrong-token').headers['x-gitlab-token']).toBe('abcb')
  })

  it('out-of-order with two fixtures about different objects: the newer is made about the older one', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW * 1000)
    const pair = resolvePair(['stripe/customer.created', 'stripe/invoice.paid'], 'stripe')! as {
      older: { data: { object: { id: string } } }
      newer: { data: { object: { id: string; object: string } } }
    }
    expect(pair.newer.data.object.object).toBe('invoice')
    expect(pair.newer.data.object.id).toBe(pair.older.data.object.id)
  })

  it('twilio other-algorithm: fields sorted by name whatever their order', () => {
    const url = 'https://example.com/sms'
    const body = Buffer.from('Zeta=1&Alpha=2&Mid=3&Beta=4&Omega=5&Gamma=6')
    const variant = signatureVariants.twilio!.otherAlgorithm({
      headers: {
        'x-twilio-signature': 'x',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
      secret: 's',
      url,
    })
    const content = `${url}Alpha2Beta4Gamma6Mid3Omega5Zeta1`
    expect(variant).toEqual({
      'x-twilio-signature': createHmac('sha256', 's').update(content).digest('base64'),
    })
  })
})
