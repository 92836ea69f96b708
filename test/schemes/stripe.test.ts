import { createHmac } from 'node:crypto'
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
  it('parses Stripe-Signature exactly as stripe-node: no trimming, and a joined header keeps the first t', () => {
    const now = Math.floor(Date.now() / 1000)
    const body = JSON.stringify(payload)
    const header = stripe.sign({ payload, secret, timestamp: now }).headers['stripe-signature']!
    const reason = (value: string) => {
      const result = stripe.verify({ headers: { 'stripe-signature': value }, body, secret, now })
      return result.ok ? 'ok' : result.reason
    }
    const officialSays = (value: string) => {
      try {
        official.webhooks.constructEvent(body, value, secret)
        return 'ok'
      } catch (error) {
        return (error as Error).message.split('\n')[0]
      }
    }
    // A space after the comma makes the key " v1": stripe-node finds no v1 signature.
    const spaced = header.replace(',', ', ')
    expect(officialSays(spaced)).toBe('No signatures found with expected scheme')
    expect(reason(spaced)).toBe('malformed_header')
    // Two Stripe-Signature headers joined by ", ": the second t= is " t", so the first t counts.
    const foreign = official.webhooks.generateTestHeaderString({
      payload: body,
      secret: 'whsec_another_endpoint',
      timestamp: now - 60,
    })
    expect(officialSays(`${foreign}, ${header}`)).toMatch(/^No signatures found matching/)
    expect(reason(`${foreign}, ${header}`)).toBe('bad_signature')
    expect(officialSays(`${header}, ${foreign}`)).toBe('ok')
    expect(reason(`${header}, ${foreign}`)).toBe('ok')
    // parseInt reads the timestamp: leading spaces and trailing text are ignored, by both.
    const v1 = header.slice(header.indexOf(',v1='))
    for (const t of [`t= ${now}`, `t=${now}abc`, `t=${now}=x`]) {
      expect([officialSays(t + v1), reason(t + v1)]).toEqual(['ok', 'ok'])
    }
    // A value runs to the next "=": stripe-node keeps the second split part.
    expect([officialSays(`${header}=junk`), reason(`${header}=junk`)]).toEqual(['ok', 'ok'])
    // An empty or bare "v1" fails the header (stripe-node's secureCompare throws on it); a bare
    // "t" reads as NaN, so it fails only when it is the last t.
    for (const value of [`${header},v1`, `${header},v1=`, `v1==x,${header}`]) {
      expect([officialSays(value), reason(value)]).toEqual([
        'secureCompare must receive two arguments',
        'malformed_header',
      ])
    }
    expect([officialSays(`${header},t`), reason(`${header},t`)]).toEqual([
      expect.stringMatching(/^No signatures found matching/),
      'malformed_header',
    ])
    expect([officialSays(`t,${header}`), reason(`t,${header}`)]).toEqual(['ok', 'ok'])
    // Keys are not trimmed or case-folded.
    for (const value of [` ${header}`, header.replace('t=', 'T='), header.replace('v1=', 'V1=')]) {
      expect(officialSays(value)).not.toBe('ok')
      expect(reason(value)).not.toBe('ok')
    }
  })

  it('reads t=0 as a time and refuses a negative t, where stripe-node refuses it too', () => {
    const body = JSON.stringify(payload)
    const sign = (t: number) =>
      stripe.sign({ payload: body, secret, timestamp: t }).headers['stripe-signature']!
    // The epoch is a timestamp like any other, judged by its age (stripe-node agrees).
    const epoch = sign(0)
    expect(
      stripe.verify({ headers: { 'stripe-signature': epoch }, body, secret, now: 300 }),
    ).toEqual({ ok: true, scheme: 'stripe', secretIndex: 0, timestamp: 0 })
    expect(
      official.webhooks.signature!.verifyHeader(body, epoch, secret, 300, undefined, 300_000),
    ).toBe(true)
    expect(
      stripe.verify({ headers: { 'stripe-signature': epoch }, body, secret, now: 301 }),
    ).toMatchObject({ ok: false, reason: 'timestamp_too_old' })
    // A negative t, validly signed over "-5.<body>": stripe-node refuses it only as too old (and
    // -1 as no timestamp); hookwright calls any negative t malformed, whatever the tolerance.
    const v1 = (t: number) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
    for (const t of [-5, -1]) {
      const header = `t=${t},v1=${v1(t)}`
      expect(() => official.webhooks.constructEvent(body, header, secret)).toThrow()
      const result = stripe.verify({
        headers: { 'stripe-signature': header },
        body,
        secret,
        now: 0,
        tolerance: 10,
      })
      expect(result).toEqual({
        ok: false,
        scheme: 'stripe',
        reason: 'malformed_header',
        message: 'The Stripe-Signature header has no valid t=<timestamp>.',
      })
    }
  })

  it('says an empty v1 fails the whole header, even next to a valid one', () => {
    const now = 1_700_000_000
    const { headers, body } = stripe.sign({ payload, secret, timestamp: now })
    const header = `${headers['stripe-signature']!},v1=`
    expect(stripe.verify({ headers: { 'stripe-signature': header }, body, secret, now })).toEqual({
      ok: false,
      scheme: 'stripe',
      reason: 'malformed_header',
      message: 'The Stripe-Signature header has an empty v1 signature.',
    })
    // Other keys with no value are ignored, by stripe-node and here.
    const ignored = `${headers['stripe-signature']!},v0=,x=`
    expect(stripe.verify({ headers: { 'stripe-signature': ignored }, body, secret, now }).ok).toBe(
      true,
    )
    expect(
      official.webhooks.signature!.verifyHeader(
        body as string,
        ignored,
        secret,
        300,
        undefined,
        now * 1000,
      ),
    ).toBe(true)
  })
})
