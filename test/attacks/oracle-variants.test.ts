import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signatureVariants } from '../../src/attacks/variants.js'
import { badDeliveries, getScheme, standardWebhooks, type BadDelivery } from '../../src/index.js'
import { twilioJson } from './twilio-json.js'

/**
 * The `wrong-version` and `other-algorithm` cases, recomputed by hand with node:crypto from each
 * provider's documented signed content: `other-algorithm` must carry a real signature of the
 * request under the other algorithm (so a receiver that lets the header pick the algorithm
 * accepts it), and `wrong-version` the valid signature under another version tag.
 */
const NOW = 1_700_000_000
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', amount: 1200 }
const url = 'https://example.com/hooks/sms?x=1'

const mac = (algorithm: 'sha1' | 'sha256', key: string | Buffer, text: string | Buffer) =>
  createHmac(algorithm, key).update(text)
const find = (cases: BadDelivery[], name: string) => cases.find((c) => c.name === name)
const body = (c: BadDelivery) => Buffer.from(c.body).toString('utf8')

describe('other-algorithm: a real signature under the other algorithm', () => {
  it('stripe: HMAC-SHA1 of "<t>.<body>" as v1', () => {
    const secret = 'whsec_test_secret'
    const cases = badDeliveries('stripe', { payload, secret, now: NOW })
    const c = find(cases, 'other-algorithm')!
    const sha1 = mac('sha1', secret, `${NOW}.${body(c)}`).digest('hex')
    expect(c.headers['stripe-signature']).toBe(`t=${NOW},v1=${sha1}`)
    expect(c.body).toBe(cases[0]!.body)
  })

  it('github: HMAC-SHA1 of the body as sha1= in X-Hub-Signature-256', () => {
    const secret = 'It is a secret'
    const c = find(
      badDeliveries('github', { payload, secret, now: NOW, maxBodyBytes: 64 }),
      'other-algorithm',
    )!
    expect(c.headers['x-hub-signature-256']).toBe(
      `sha1=${mac('sha1', secret, body(c)).digest('hex')}`,
    )
  })

  it.each(['standardWebhooks', 'svix'] as const)(
    '%s: HMAC-SHA1 of "<id>.<timestamp>.<body>" with the base64 key, as v1',
    (name) => {
      const secret = getScheme(name).generateSecret().signSecret
      const prefix = name === 'svix' ? 'svix' : 'webhook'
      const c = find(
        badDeliveries(name, { payload, secret, now: NOW, id: 'msg_1' }),
        'other-algorithm',
      )!
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
      const sha1 = mac('sha1', key, `msg_1.${NOW}.${body(c)}`).digest('base64')
      expect(c.headers[`${prefix}-signature`]).toBe(`v1,${sha1}`)
      expect(c.headers[`${prefix}-id`]).toBe('msg_1')
      expect(c.headers[`${prefix}-timestamp`]).toBe(String(NOW))
    },
  )

  it('standardWebhooks with an Ed25519 (whsk_) key: no HMAC to confuse, no v1 to relabel', () => {
    const { signSecret, verifySecret } = standardWebhooks.generateKeyPair()
    const cases = badDeliveries('standardWebhooks', {
      payload,
      secret: signSecret,
      verifySecret,
      now: NOW,
    })
    expect(cases[0]!.headers['webhook-signature']).toMatch(/^v1a,/)
    const names = cases.map((c) => c.name)
    expect(names).not.toContain('other-algorithm')
    expect(names).not.toContain('wrong-version')
  })

  it('shopify: base64 HMAC-SHA1 of the body', () => {
    const secret = 'shpss_secret'
    const c = find(badDeliveries('shopify', { payload, secret, now: NOW }), 'other-algorithm')!
    expect(c.headers['x-shopify-hmac-sha256']).toBe(mac('sha1', secret, body(c)).digest('base64'))
  })

  it('shopify Events headers: the variant rewrites shopify-hmac-sha256', () => {
    const secret = 'shpss_secret'
    const scheme = getScheme('shopify').with({ headerStyle: 'events' } as never)
    const c = find(badDeliveries(scheme, { payload, secret, now: NOW }), 'other-algorithm')!
    expect(c.headers['shopify-hmac-sha256']).toBe(mac('sha1', secret, body(c)).digest('base64'))
    expect(c.headers['x-shopify-hmac-sha256']).toBeUndefined()
  })

  it('slack: HMAC-SHA1 of "v0:<timestamp>:<body>" as v0=', () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5'
    const c = find(badDeliveries('slack', { payload, secret, now: NOW }), 'other-algorithm')!
    const sha1 = mac('sha1', secret, `v0:${NOW}:${body(c)}`).digest('hex')
    expect(c.headers['x-slack-signature']).toBe(`v0=${sha1}`)
  })

  it('twilio: base64 HMAC-SHA256 of the URL and the sorted form fields (Twilio signs with SHA-1)', () => {
    const secret = '12345'
    const fields = { To: '+15550001', From: '+15550002', Body: 'hi', AccountSid: 'AC1' }
    const c = find(
      badDeliveries('twilio', { payload: fields, secret, url, now: NOW }),
      'other-algorithm',
    )!
    const sorted = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const content = url + sorted.map(([k, v]) => k + v).join('')
    expect(c.headers['x-twilio-signature']).toBe(mac('sha256', secret, content).digest('base64'))
  })

  it('twilio with a JSON body: HMAC-SHA256 of the URL it is sent to, bodySHA256 included', () => {
    const secret = '12345'
    const c = find(
      badDeliveries(twilioJson, { payload, secret, url, now: NOW }),
      'other-algorithm',
    )!
    // The case goes to the URL carrying bodySHA256 (what Twilio signs for a JSON body), so a
    // receiver that lets the header choose SHA-256 over that URL is the one this case catches.
    const bodySha = createHash('sha256').update(body(c)).digest('hex')
    expect(c.url).toBe(`${url}&bodySHA256=${bodySha}`)
    expect(c.headers['x-twilio-signature']).toBe(mac('sha256', secret, c.url!).digest('base64'))
  })

  it('twilio without a url: no variant (the signed content starts with the URL)', () => {
    const input = {
      headers: { 'x-twilio-signature': 'abc=' },
      body: Buffer.from('To=%2B1'),
      secret: '12345',
    }
    expect(signatureVariants.twilio!.otherAlgorithm!(input)).toBeUndefined()
    expect(signatureVariants.twilio!.otherAlgorithm!({ ...input, url })).toEqual({
      'x-twilio-signature': expect.any(String),
    })
  })

  it('a variant of a header the request lacks, or that changes nothing, is no variant', () => {
    const body = Buffer.from('{}')
    expect(
      signatureVariants.stripe!.wrongVersion!({ headers: {}, body, secret: 's' }),
    ).toBeUndefined()
    // No v1= to relabel: the same header would be the valid one.
    expect(
      signatureVariants.stripe!.wrongVersion!({
        headers: { 'stripe-signature': 't=1' },
        body,
        secret: 's',
      }),
    ).toBeUndefined()
    // No t= to sign: no SHA-1 signature can be made.
    expect(
      signatureVariants.stripe!.otherAlgorithm!({
        headers: { 'stripe-signature': 'v1=ab' },
        body,
        secret: 's',
      }),
    ).toBeUndefined()
    expect(
      signatureVariants.slack!.otherAlgorithm!({
        headers: { 'x-slack-signature': 'v0=ab' },
        body,
        secret: 's',
      }),
    ).toBeUndefined()
    expect(
      signatureVariants.standardWebhooks!.otherAlgorithm!({
        headers: { 'webhook-signature': 'v1,ab', 'webhook-timestamp': '1' },
        body,
        secret: 'whsec_AAAA',
      }),
    ).toBeUndefined()
    expect(
      signatureVariants.standardWebhooks!.otherAlgorithm!({
        headers: { 'webhook-signature': 'v1,ab', 'webhook-id': 'm' },
        body,
        secret: 'whsec_AAAA',
      }),
    ).toBeUndefined()
    expect(
      signatureVariants.shopify!.otherAlgorithm!({ headers: {}, body, secret: 's' }),
    ).toBeUndefined()
  })

  it.each([
    'hmac',
    'meta',
    'square',
    'linear',
    'paddle',
    'zoom',
    'hubspot',
    'discord',
    'sendgrid',
  ] as const)('%s: no variant table, so no wrong-version or other-algorithm case', (name) => {
    const { signSecret, verifySecret } = getScheme(name).generateSecret()
    const names = badDeliveries(name, {
      payload,
      secret: signSecret,
      verifySecret,
      url,
      now: NOW,
    }).map((c) => c.name)
    expect(names).not.toContain('other-algorithm')
    expect(names).not.toContain('wrong-version')
  })
})

describe('wrong-version: the valid signature under another version tag', () => {
  it('stripe: every v1= becomes v0=', () => {
    const cases = badDeliveries('stripe', { payload, secret: 'whsec_x', now: NOW })
    const valid = cases[0]!.headers['stripe-signature']!
    expect(find(cases, 'wrong-version')!.headers['stripe-signature']).toBe(
      valid.replace('v1=', 'v0='),
    )
  })

  it.each(['standardWebhooks', 'svix'] as const)('%s: v1, becomes v2,', (name) => {
    const secret = getScheme(name).generateSecret().signSecret
    const prefix = name === 'svix' ? 'svix' : 'webhook'
    const cases = badDeliveries(name, { payload, secret, now: NOW })
    const valid = cases[0]!.headers[`${prefix}-signature`]!
    expect(valid).toMatch(/^v1,/)
    expect(find(cases, 'wrong-version')!.headers[`${prefix}-signature`]).toBe(
      `v2,${valid.slice(3)}`,
    )
  })

  it('slack: v0= becomes v1=', () => {
    const cases = badDeliveries('slack', { payload, secret: 's3cret', now: NOW })
    const valid = cases[0]!.headers['x-slack-signature']!
    expect(find(cases, 'wrong-version')!.headers['x-slack-signature']).toBe(`v1=${valid.slice(3)}`)
  })

  it('github has one version: no wrong-version case', () => {
    const names = badDeliveries('github', { payload, secret: 's', now: NOW, maxBodyBytes: 64 }).map(
      (c) => c.name,
    )
    expect(names).not.toContain('wrong-version')
  })
})
