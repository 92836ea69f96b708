import { createHmac } from 'node:crypto'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { describe, expect, it } from 'vitest'
import { getScheme, linear } from '../../src/index.js'

const secret = 'lin_wh_secret'
const stampMs = 1_700_000_000_000
const now = new Date(stampMs)
const event = { action: 'create', type: 'Issue', data: { id: 'i1' }, webhookTimestamp: stampMs }

describe('linear', () => {
  it('signs the raw body into Linear-Signature as hex and sends Linear-Timestamp', () => {
    const { headers, body } = linear.sign({ payload: event, secret })
    // LinearWebhookClient.verify: hex HMAC-SHA256 of the raw body, compared as text.
    const expected = createHmac('sha256', secret).update(body).digest('hex')
    expect(headers).toEqual({ 'linear-signature': expected, 'linear-timestamp': String(stampMs) })
    expect(linear.verify({ headers: { 'Linear-Signature': expected }, body, secret, now })).toEqual(
      { ok: true, scheme: 'linear', secretIndex: 0, timestamp: stampMs / 1000 },
    )
  })

  it('stamps webhookTimestamp into an event that has none, as Linear sends it', () => {
    const { webhookTimestamp: _, ...bare } = event
    const { headers, body } = linear.sign({ payload: bare, secret, timestamp: 1_700_000_123 })
    expect(JSON.parse(body as string)).toEqual({ ...bare, webhookTimestamp: 1_700_000_123_000 })
    expect(headers['linear-timestamp']).toBe('1700000123000')
    expect(linear.verify({ headers, body, secret, now: 1_700_000_123 }).ok).toBe(true)
  })

  it('checks the signed body timestamp, 60 s either way in milliseconds, never the header', () => {
    const { headers, body } = linear.sign({ payload: event, secret })
    const at = (ms: number) => linear.verify({ headers, body, secret, now: new Date(ms) })
    expect(at(stampMs + 60_000).ok).toBe(true)
    expect(at(stampMs + 60_001)).toMatchObject({ reason: 'timestamp_too_old' })
    expect(at(stampMs - 60_000).ok).toBe(true)
    expect(at(stampMs - 60_001)).toMatchObject({ reason: 'timestamp_in_future' })
    // A fresh Linear-Timestamp header does not rescue a stale signed body: it is not signed.
    const fresh = { ...headers, 'linear-timestamp': String(stampMs + 600_000) }
    expect(
      linear.verify({ headers: fresh, body, secret, now: new Date(stampMs + 600_000) }),
    ).toMatchObject({ reason: 'timestamp_too_old' })
  })

  it('refuses each tampering with its reason', () => {
    const { headers, body } = linear.sign({ payload: event, secret })
    const check = (overrides: object) => linear.verify({ headers, body, secret, now, ...overrides })
    expect(check({ body: `${body as string}\n` })).toMatchObject({ reason: 'bad_signature' })
    expect(check({ headers: {} })).toMatchObject({
      reason: 'missing_header',
      message: 'The Linear-Signature header is missing.',
    })
    expect(check({ headers: { 'linear-signature': 'ab' } })).toMatchObject({
      reason: 'bad_signature',
      message: 'The Linear-Signature does not match the body and secret.',
    })
    expect(check({ secret: undefined, secrets: ['old', secret] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    const unstamped = JSON.stringify({ action: 'create' })
    const signature = createHmac('sha256', secret).update(unstamped).digest('hex')
    expect(check({ headers: { 'linear-signature': signature }, body: unstamped })).toMatchObject({
      reason: 'malformed_header',
    })
    expect(getScheme('linear')).toBe(linear)
  })

  it('says by how many seconds, to the millisecond, a stamp is out of tolerance', () => {
    const { headers, body } = linear.sign({ payload: event, secret })
    const message = (now: number | Date) => {
      const result = linear.verify({ headers, body, secret, now })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(message(new Date(stampMs + 60_001))).toBe(
      'timestamp_too_old: The timestamp is 60.001s old, more than the tolerance of 60s.',
    )
    expect(message(new Date(stampMs - 60_250))).toBe(
      'timestamp_in_future: The timestamp is 60.25s in the future, more than the tolerance of 60s.',
    )
    // `now` as a number is Unix seconds, compared in milliseconds all the same.
    expect(message(stampMs / 1000 + 61)).toBe(
      'timestamp_too_old: The timestamp is 61s old, more than the tolerance of 60s.',
    )
    expect(message(stampMs / 1000 - 60)).toBe('ok')
  })

  it('stamps only an event object; text, bytes and arrays are signed as given', () => {
    const at = 1_700_000_123
    const sign = (payload: string | Uint8Array | object) =>
      linear.sign({ payload, secret, timestamp: at })
    const text = '{"action":"create"}'
    expect(sign(text)).toMatchObject({
      body: text,
      headers: { 'linear-timestamp': '1700000123000' },
    })
    const bytes = new TextEncoder().encode(text)
    expect(sign(bytes).body).toBe(bytes)
    expect(sign([{ a: 1 }]).body).toBe('[{"a":1}]')
    // The Linear-Timestamp header repeats the stamp the body already has, however it was given.
    const stamped = JSON.stringify({ action: 'create', webhookTimestamp: stampMs })
    expect(sign(stamped).headers['linear-timestamp']).toBe(String(stampMs))
    expect(sign(new TextEncoder().encode(stamped)).headers['linear-timestamp']).toBe(
      String(stampMs),
    )
    expect(sign(event).headers['linear-timestamp']).toBe(String(stampMs))
  })

  it('refuses a validly signed body without a numeric webhookTimestamp, as @linear/sdk does', () => {
    const client = new LinearWebhookClient(secret)
    for (const body of [
      '{"webhookTimestamp":"1700000000000"}',
      '{"webhookTimestamp":1e400}',
      '{"webhookTimestamp":null}',
      'null',
      '[1700000000000]',
      'not json',
    ]) {
      const signature = createHmac('sha256', secret).update(body).digest('hex')
      const result = linear.verify({
        headers: { 'linear-signature': signature },
        body,
        secret,
        now,
      })
      expect([body, result]).toEqual([
        body,
        {
          ok: false,
          scheme: 'linear',
          reason: 'malformed_header',
          message:
            'The signed body has no numeric webhookTimestamp (Unix milliseconds), which @linear/sdk requires.',
        },
      ])
      expect(() => client.verify(Buffer.from(body), signature)).toThrow(/webhook timestamp|JSON/)
    }
  })
})
