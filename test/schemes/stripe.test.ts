import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { HookwrightError, WebhookVerificationError, getScheme, stripe } from '../../src/index.js'

const secret = 'whsec_test_secret'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid' }
const official = new Stripe('sk_test_dummy')

describe('stripe', () => {
  it('signs what the official library verifies', () => {
    const { headers, body } = stripe.sign({ payload, secret })
    const event = official.webhooks.constructEvent(body, headers['stripe-signature']!, secret)
    expect(event.id).toBe('evt_1')
  })

  it('verifies what the official library signs', () => {
    const body = JSON.stringify(payload, null, 2)
    const header = official.webhooks.generateTestHeaderString({ payload: body, secret })
    const result = stripe.verify({ headers: { 'Stripe-Signature': header }, body, secret })
    expect(result).toMatchObject({ ok: true, scheme: 'stripe', secretIndex: 0 })
  })

  it('refuses a tampered body, a wrong secret and a missing header with their reasons', () => {
    const { headers, body } = stripe.sign({ payload, secret })
    expect(stripe.verify({ headers, body: `${body} `, secret })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    })
    expect(stripe.verify({ headers, body, secret: 'whsec_other' })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(stripe.verify({ headers: {}, body, secret })).toMatchObject({ reason: 'missing_header' })
    expect(
      stripe.verify({ headers: { 'stripe-signature': 'v1=abc' }, body, secret }),
    ).toMatchObject({ reason: 'malformed_header' })
    expect(
      stripe.verify({ headers: { 'stripe-signature': 't=1,v0=abc' }, body, secret }),
    ).toMatchObject({ reason: 'unsupported_version' })
  })

  it('refuses a timestamp older than the tolerance, as the official library does', () => {
    const now = 1_700_000_000
    const { headers, body } = stripe.sign({ payload, secret, timestamp: now - 301 })
    expect(stripe.verify({ headers, body, secret, now })).toMatchObject({
      reason: 'timestamp_too_old',
    })
    expect(stripe.verify({ headers, body, secret, now, tolerance: 301 }).ok).toBe(true)
    expect(() =>
      official.webhooks.constructEvent(body, headers['stripe-signature']!, secret, 300),
    ).toThrow(/Timestamp outside the tolerance zone/)
  })

  it('accepts any of several secrets during a rotation and any of several v1 entries', () => {
    const signed = stripe.sign({ payload, secret: 'whsec_new', timestamp: 1_700_000_000 })
    const other = stripe.sign({ payload, secret: 'whsec_old', timestamp: 1_700_000_000 })
    const both = `${signed.headers['stripe-signature']},${other.headers['stripe-signature']!.split(',')[1]}`
    const result = stripe.verify({
      headers: new Headers({ 'stripe-signature': both }),
      body: Buffer.from(signed.body),
      secrets: ['whsec_old', 'whsec_zzz'],
      now: 1_700_000_000,
    })
    expect(result).toMatchObject({ ok: true, secretIndex: 0, timestamp: 1_700_000_000 })
  })

  it('throws on misuse, with the option named, and verifyOrThrow carries the reason', () => {
    const { headers, body } = stripe.sign({ payload, secret })
    expect(() => stripe.verify({ headers, body } as never)).toThrow(/pass `secret`/)
    expect(() => stripe.sign({ payload, secret: '' })).toThrow(HookwrightError)
    expect(() => stripe.verify({ headers, body, secret, now: Date.now() })).toThrow(
      /looks like milliseconds/,
    )
    expect(stripe.verify({ headers, body, secrets: [''] })).toMatchObject({
      reason: 'missing_secret',
    })
    try {
      stripe.verifyOrThrow({ headers, body: 'x', secret })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookVerificationError)
      expect((error as WebhookVerificationError).reason).toBe('bad_signature')
      expect((error as Error).message).not.toContain(secret)
    }
    expect(getScheme('stripe')).toBe(stripe)
    expect(() => getScheme('strpe')).toThrow(/Known schemes: stripe/)
  })
})
