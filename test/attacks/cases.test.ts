import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { badDeliveries, getScheme, HookwrightError, schemeNames } from '../../src/index.js'

const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', amount: 1200 }
const url = 'https://example.com/hooks/sms?x=1'
const official = new Stripe('sk_test_dummy')

describe('badDeliveries', () => {
  it.each(schemeNames)(
    "%s: every case is judged as the scheme's own verifier judges it",
    (name) => {
      const scheme = getScheme(name)
      const { signSecret, verifySecret } = scheme.generateSecret()
      const now = 1_700_000_000
      const cases = badDeliveries(name, { payload, secret: signSecret, verifySecret, url, now })
      expect(cases[0]).toMatchObject({ name: 'valid', expect: 'accept' })
      expect(cases.filter((c) => c.expect === 'reject').length).toBeGreaterThanOrEqual(4)
      expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length)
      for (const c of cases) {
        const result = scheme.verify({
          headers: c.headers,
          body: c.body,
          secret: verifySecret,
          url: c.url ?? url,
          now,
        })
        // The replay case is valid on its own: only a receiver's memory can refuse it; the
        // oversized body is validly signed, and refused for its size.
        const shouldPass = c.expect === 'accept' || c.sendTwice === true || c.group === 'robustness'
        expect({ name: c.name, ok: result.ok }).toEqual({ name: c.name, ok: shouldPass })
        if (!result.ok) expect(c.reason).toBe(result.reason)
      }
    },
  )

  it('stripe: the official library refuses exactly the reject cases', () => {
    const secret = 'whsec_test_secret'
    const cases = badDeliveries('stripe', { payload, secret })
    expect(cases.map((c) => c.name)).toEqual([
      'valid',
      'tampered-body',
      'wrong-secret',
      'missing-signature-header',
      'malformed-signature-header',
      'empty-signature',
      'timestamp-too-old',
      // no timestamp-in-future: Stripe's library accepts future timestamps
      'timestamp-just-inside',
      'replayed-message-id',
      'json-whitespace-changed',
      'json-keys-reordered',
      'valid-pretty-json',
      'wrong-version',
      'other-algorithm',
      'empty-body',
      'retried-with-new-signature',
      'oversized-body',
    ])
    const retry = cases.find((c) => c.sendFirst)!
    for (const c of [
      ...cases.filter((c) => !c.sendTwice && c.group !== 'robustness'),
      { ...retry, ...retry.sendFirst! },
    ]) {
      let accepted: boolean
      try {
        official.webhooks.constructEvent(
          Buffer.from(c.body),
          c.headers['stripe-signature'] ?? '',
          secret,
        )
        accepted = true
      } catch {
        accepted = false
      }
      expect({ name: c.name, accepted }).toEqual({ name: c.name, accepted: c.expect === 'accept' })
    }
  })

  it('standardWebhooks: the official library refuses exactly the reject cases', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', { payload, secret })
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'missing-header-webhook-id',
        'missing-header-webhook-timestamp',
        'timestamp-too-old',
        'timestamp-in-future',
        'timestamp-just-inside',
        'wrong-version',
        'other-algorithm',
      ]),
    )
    const wh = new StandardWebhook(secret)
    for (const c of cases.filter((c) => !c.sendTwice && c.group !== 'robustness')) {
      let accepted: boolean
      try {
        wh.verify(Buffer.from(c.body).toString('utf8'), c.headers)
        accepted = true
      } catch {
        accepted = false
      }
      expect({ name: c.name, accepted }).toEqual({ name: c.name, accepted: c.expect === 'accept' })
    }
  })

  it('github: @octokit/webhooks-methods refuses exactly the reject cases', async () => {
    const secret = 'It is a secret'
    const cases = badDeliveries('github', { payload, secret })
    expect(cases.map((c) => c.name)).toContain('other-algorithm')
    expect(cases.map((c) => c.name)).not.toContain('timestamp-too-old')
    // No signed timestamp, so a retry would be the replay's very bytes: no retry case.
    expect(cases.map((c) => c.name)).not.toContain('retried-with-new-signature')
    for (const c of cases.filter((c) => !c.sendTwice && c.group !== 'robustness')) {
      let accepted: boolean
      try {
        accepted = await octokitVerify(
          secret,
          Buffer.from(c.body).toString('utf8'),
          c.headers['x-hub-signature-256'] ?? '',
        )
      } catch {
        accepted = false
      }
      expect({ name: c.name, accepted }).toEqual({ name: c.name, accepted: c.expect === 'accept' })
    }
  })

  it('token schemes get token cases: missing, empty, wrong, too short, too long', () => {
    const secret = 'glpat-0123456789abcdef'
    const cases = badDeliveries('gitlab', { payload, secret })
    expect(cases.map((c) => [c.name, c.expect])).toEqual([
      ['valid', 'accept'],
      ['missing-token', 'reject'],
      ['empty-token', 'reject'],
      ['wrong-token', 'reject'],
      ['token-too-short', 'reject'],
      ['token-too-long', 'reject'],
      ['oversized-body', 'reject'],
    ])
    const header = getScheme('gitlab').headers[0]!
    expect(cases[3]!.headers[header]).toHaveLength(secret.length)
    expect(cases[3]!.headers[header]).not.toBe(secret)
    expect(secret.startsWith(cases[4]!.headers[header]!)).toBe(true)
  })

  it('gives accepted cases distinct message ids, so replay protection lets each through once', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', { payload, secret, id: 'msg_base' })
    const accepted = cases.filter((c) => c.expect === 'accept' || c.sendTwice)
    const ids = accepted.map((c) => c.headers['webhook-id'])
    const eventIds = accepted.map((c) => JSON.parse(Buffer.from(c.body).toString('utf8')).id)
    expect(new Set(ids).size).toBe(accepted.length)
    expect(new Set(eventIds).size).toBe(accepted.length)
    expect(ids[0]).toBe('msg_base')
  })

  it('throws on misuse, naming the option', () => {
    expect(() => badDeliveries('nope' as never, { payload, secret: 'x' })).toThrow(
      /Known schemes: stripe/,
    )
    expect(() => badDeliveries('stripe', { payload, secret: '' })).toThrow(HookwrightError)
    expect(() => badDeliveries('stripe', { payload, secret: 'x', bogus: 1 } as never)).toThrow(
      /badDeliveries\(\{ bogus \}\)/,
    )
    expect(() => badDeliveries('stripe', { payload: null as never, secret: 'x' })).toThrow(
      /`payload`/,
    )
    expect(() => badDeliveries('stripe', { payload, secret: 'x', url: 'nope' })).toThrow(/`url`/)
    expect(() => badDeliveries('stripe', { payload, secret: 'x', tolerance: -1 })).toThrow(
      /`tolerance`/,
    )
    expect(() => badDeliveries('stripe', { payload, secret: 'x', maxBodyBytes: 0 })).toThrow(
      /`maxBodyBytes`/,
    )
  })

  it('the retry: same message id in header and payload, a later timestamp, a new signature', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const now = 1_700_000_000
    const cases = badDeliveries('standardWebhooks', { payload, secret, now })
    const retry = cases.find((c) => c.name === 'retried-with-new-signature')!
    expect(retry).toMatchObject({ group: 'idempotency', expect: 'accept' })
    const first = retry.sendFirst!
    expect(first.headers['webhook-id']).toBe(retry.headers['webhook-id'])
    expect(JSON.parse(String(first.body)).id).toBe(JSON.parse(String(retry.body)).id)
    expect(Number(first.headers['webhook-timestamp'])).toBe(now - 60)
    expect(Number(retry.headers['webhook-timestamp'])).toBe(now)
    expect(first.headers['webhook-signature']).not.toBe(retry.headers['webhook-signature'])
    const { verifySecret } = { verifySecret: secret }
    expect(
      getScheme('standardWebhooks').verify({ ...first, secret: verifySecret, now }),
    ).toMatchObject({ ok: true })
  })

  it("the oversized body: validly signed, one byte past the provider's maximum", () => {
    const secret = 'whsec_test_secret'
    const stripe = badDeliveries('stripe', { payload, secret })
    const big = stripe.find((c) => c.name === 'oversized-body')!
    expect(big).toMatchObject({ group: 'robustness', expect: 'reject' })
    expect(Buffer.byteLength(big.body as string)).toBe(1024 * 1024 + 1)
    expect(() =>
      official.webhooks.constructEvent(String(big.body), big.headers['stripe-signature']!, secret),
    ).not.toThrow()
    const github = badDeliveries('github', { payload, secret, maxBodyBytes: 100 })
    expect(Buffer.byteLength(github.find((c) => c.name === 'oversized-body')!.body as string)).toBe(
      101,
    )
  })

  it('toRequest: each case as a Fetch Request, kept out of the plain data', async () => {
    const cases = badDeliveries('stripe', { payload, secret: 'whsec_x' })
    const c = cases.find((c) => c.name === 'tampered-body')!
    const request = c.toRequest('http://localhost/webhooks')
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://localhost/webhooks')
    expect(request.headers.get('stripe-signature')).toBe(c.headers['stripe-signature'])
    expect(await request.text()).toBe(c.body)
    expect(Object.keys(c)).not.toContain('toRequest')
    expect(JSON.parse(JSON.stringify(c)).toRequest).toBeUndefined()
    const empty = cases.find((c) => c.name === 'empty-body')!.toRequest('http://localhost/')
    expect(await empty.text()).toBe('')
  })

  it('works for string and byte payloads (no JSON cases for non-JSON bodies)', () => {
    const fromText = badDeliveries('shopify', { payload: 'plain text', secret: 's' })
    expect(fromText.map((c) => c.name)).not.toContain('json-whitespace-changed')
    expect(fromText.find((c) => c.name === 'tampered-body')!.body).toBe('plain texu')
    const fromBytes = badDeliveries('shopify', { payload: new Uint8Array([1, 2]), secret: 's' })
    expect(fromBytes.find((c) => c.name === 'tampered-body')!.body).toEqual(
      new Uint8Array([1, 2, 0x78]),
    )
  })
})
