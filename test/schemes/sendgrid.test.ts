import { EventWebhook } from '@sendgrid/eventwebhook'
import { describe, expect, it } from 'vitest'
import { HookwrightError, getScheme, sendgrid } from '../../src/index.js'

// The published vector from @sendgrid/eventwebhook's own tests.
const PUBLIC_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=='
const SIGNATURE =
  'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM='
const TIMESTAMP = '1600112502'
const PAYLOAD = `${JSON.stringify([
  {
    email: 'hello@world.com',
    event: 'dropped',
    reason: 'Bounced Address',
    sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
    sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
    'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
    timestamp: 1600112492,
  },
])}\r\n`

const official = new EventWebhook()
const events = [{ email: 'a@example.com', event: 'delivered', timestamp: 1_700_000_000 }]

describe('sendgrid', () => {
  it('verifies SendGrid’s published example', () => {
    const headers = {
      'X-Twilio-Email-Event-Webhook-Signature': SIGNATURE,
      'X-Twilio-Email-Event-Webhook-Timestamp': TIMESTAMP,
    }
    expect(sendgrid.verify({ headers, body: PAYLOAD, secret: PUBLIC_KEY })).toEqual({
      ok: true,
      scheme: 'sendgrid',
      secretIndex: 0,
      timestamp: 1_600_112_502,
    })
    expect(sendgrid.verify({ headers, body: PAYLOAD.trimEnd(), secret: PUBLIC_KEY })).toMatchObject(
      { reason: 'bad_signature' },
    )
  })

  it('signs with a generated key what @sendgrid/eventwebhook verifies', () => {
    const { signSecret, verifySecret } = sendgrid.generateSecret()
    const { headers, body } = sendgrid.sign({ payload: events, secret: signSecret })
    const key = official.convertPublicKeyToECDSA(verifySecret)
    expect(
      official.verifySignature(
        key,
        body as string,
        headers['x-twilio-email-event-webhook-signature']!,
        headers['x-twilio-email-event-webhook-timestamp']!,
      ),
    ).toBe(true)
    expect(sendgrid.verify({ headers, body, secret: verifySecret }).ok).toBe(true)
    expect(
      official.verifySignature(
        key,
        `${body as string}\r\n`,
        headers['x-twilio-email-event-webhook-signature']!,
        headers['x-twilio-email-event-webhook-timestamp']!,
      ),
    ).toBe(false)
  })

  it('refuses each tampering with its reason', () => {
    const { signSecret, verifySecret } = sendgrid.generateSecret()
    const { headers, body } = sendgrid.sign({
      payload: events,
      secret: signSecret,
      timestamp: 1_700_000_000,
    })
    const signature = headers['x-twilio-email-event-webhook-signature']!
    const check = (h: Record<string, string>, b = body as string) =>
      sendgrid.verify({ headers: h, body: b, secret: verifySecret })
    expect(check(headers, `${body as string} `)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    })
    expect(
      check({ ...headers, 'x-twilio-email-event-webhook-timestamp': '1700000001' }),
    ).toMatchObject({
      reason: 'bad_signature',
    })
    const flipped =
      signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11)
    expect(check({ ...headers, 'x-twilio-email-event-webhook-signature': flipped })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(
      check({ ...headers, 'x-twilio-email-event-webhook-signature': 'not base64!' }),
    ).toMatchObject({
      reason: 'bad_signature',
    })
    // Valid base64, but not a DER signature.
    expect(check({ ...headers, 'x-twilio-email-event-webhook-signature': 'AAAA' })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ ...headers, 'x-twilio-email-event-webhook-timestamp': 'x' })).toMatchObject({
      reason: 'malformed_header',
    })
    expect(check({ 'x-twilio-email-event-webhook-timestamp': '1' })).toMatchObject({
      reason: 'missing_header',
    })
    expect(check({ 'x-twilio-email-event-webhook-signature': signature })).toMatchObject({
      reason: 'missing_header',
    })
    expect(
      sendgrid.verify({ headers, body, secret: verifySecret, now: 1_700_000_400, tolerance: 300 }),
    ).toMatchObject({ reason: 'timestamp_too_old' })
    expect(sendgrid.verify({ headers, body, secret: verifySecret, now: 1_700_000_400 }).ok).toBe(
      true,
    )
  })

  it('refuses base64 that only decodes to the signature leniently, saying it is not base64', () => {
    const headers = {
      'x-twilio-email-event-webhook-signature': SIGNATURE,
      'x-twilio-email-event-webhook-timestamp': TIMESTAMP,
    }
    // 71 bytes: the last character before "=" carries 2 unused bits; M (001100) → N (001101)
    // changes only those, so a lenient decoder reads the same signature.
    const lenient = `${SIGNATURE.slice(0, -2)}N=`
    expect(Buffer.from(lenient, 'base64')).toEqual(Buffer.from(SIGNATURE, 'base64'))
    const refusal = (signature: string) => {
      const result = sendgrid.verify({
        headers: { ...headers, 'x-twilio-email-event-webhook-signature': signature },
        body: PAYLOAD,
        secret: PUBLIC_KEY,
      })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(refusal(SIGNATURE)).toBe('ok')
    for (const bad of [lenient, 'not base64!', SIGNATURE.slice(0, -1)]) {
      expect(refusal(bad), bad).toBe('bad_signature: The signature is not base64.')
    }
  })

  it('names the header at fault in each refusal', () => {
    const headers = {
      'x-twilio-email-event-webhook-signature': SIGNATURE,
      'x-twilio-email-event-webhook-timestamp': TIMESTAMP,
    }
    const refusal = (h: Record<string, string>) => {
      const result = sendgrid.verify({ headers: h, body: PAYLOAD, secret: PUBLIC_KEY })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(refusal({ 'x-twilio-email-event-webhook-timestamp': TIMESTAMP })).toBe(
      'missing_header: The X-Twilio-Email-Event-Webhook-Signature header is missing.',
    )
    expect(refusal({ 'x-twilio-email-event-webhook-signature': SIGNATURE })).toBe(
      'missing_header: The X-Twilio-Email-Event-Webhook-Timestamp header is missing.',
    )
    expect(refusal({ ...headers, 'x-twilio-email-event-webhook-timestamp': '-1' })).toBe(
      'malformed_header: The X-Twilio-Email-Event-Webhook-Timestamp header is not Unix seconds.',
    )
    expect(refusal({ ...headers, 'x-twilio-email-event-webhook-timestamp': '1600112503' })).toBe(
      'bad_signature: The signature does not match the body and public key.',
    )
    expect(sendgrid.headers).toEqual([
      'x-twilio-email-event-webhook-signature',
      'x-twilio-email-event-webhook-timestamp',
    ])
  })

  it('reports the first listed key that verifies, when one key is listed in two forms', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${PUBLIC_KEY.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`
    const headers = {
      'x-twilio-email-event-webhook-signature': SIGNATURE,
      'x-twilio-email-event-webhook-timestamp': TIMESTAMP,
    }
    const other = sendgrid.generateSecret().verifySecret
    expect(sendgrid.verify({ headers, body: PAYLOAD, secrets: [PUBLIC_KEY, pem] })).toMatchObject({
      ok: true,
      secretIndex: 0,
    })
    expect(
      sendgrid.verify({ headers, body: PAYLOAD, secrets: [other, pem, PUBLIC_KEY] }),
    ).toMatchObject({ ok: true, secretIndex: 1 })
  })

  it('accepts PEM keys and several verification keys during a rotation', () => {
    const next = sendgrid.generateSecret()
    const pem = (der: string, label: string) =>
      `-----BEGIN ${label}-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`
    const { headers, body } = sendgrid.sign({
      payload: events,
      secret: pem(next.signSecret, 'PRIVATE KEY'),
    })
    expect(
      sendgrid.verify({
        headers,
        body,
        secrets: [PUBLIC_KEY, pem(next.verifySecret, 'PUBLIC KEY')],
      }),
    ).toMatchObject({ ok: true, secretIndex: 1 })
  })

  it('throws on a key of the wrong kind, naming what it accepts', () => {
    const { headers, body } = sendgrid.sign({
      payload: events,
      secret: sendgrid.generateSecret().signSecret,
    })
    expect(() => sendgrid.verify({ headers, body, secret: 'abc' })).toThrow(
      /P-256 public key: base64 SPKI DER/,
    )
    // An Ed25519 key is a key, but not the kind SendGrid uses.
    const ed = 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE='
    expect(() => sendgrid.verify({ headers, body, secret: ed })).toThrow(HookwrightError)
    // Signing with a private key of another kind (Discord's Ed25519) says what SendGrid takes.
    const edPrivate = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
    expect(() => sendgrid.sign({ payload: events, secret: edPrivate })).toThrow(
      'Invalid option `secret`: expected an ECDSA P-256 private key: base64 PKCS#8 DER or PEM, got (hidden).',
    )
    expect(getScheme('sendgrid')).toBe(sendgrid)
  })
})
