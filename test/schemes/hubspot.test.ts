import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { getScheme, hubspot } from '../../src/index.js'

const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy'
const url = 'https://www.example.com/webhook_uri'
const events = [{ eventId: 1, subscriptionType: 'contact.creation', objectId: 123 }]

/** `Signature.getSignature('POST', 'v3', …)` from @hubspot/api-client, written out. */
function clientSignature(body: string, timestampMs: number): string {
  return createHmac('sha256', clientSecret)
    .update(`POST${url}${body}${timestampMs}`)
    .digest('base64')
}

describe('hubspot', () => {
  it('signs POST + URL + body + millisecond timestamp, as @hubspot/api-client computes it', () => {
    const now = 1_700_000_000
    const { headers, body } = hubspot.sign({
      payload: events,
      secret: clientSecret,
      url,
      timestamp: now,
    })
    expect(headers).toEqual({
      'x-hubspot-signature-v3': clientSignature(body as string, now * 1000),
      'x-hubspot-request-timestamp': String(now * 1000),
    })
    const received = {
      'X-HubSpot-Signature-v3': clientSignature('[]', 1_700_000_000_123),
      'X-HubSpot-Request-Timestamp': '1700000000123',
    }
    expect(
      hubspot.verify({ headers: received, body: '[]', secret: clientSecret, url, now }),
    ).toEqual({
      ok: true,
      scheme: 'hubspot',
      secretIndex: 0,
      timestamp: now,
    })
  })

  it('refuses timestamps older than 5 minutes but, like the client, not future ones', () => {
    const now = 1_700_000_000
    const old = hubspot.sign({ payload: events, secret: clientSecret, url, timestamp: now - 301 })
    expect(hubspot.verify({ ...old, secret: clientSecret, url, now })).toMatchObject({
      reason: 'timestamp_too_old',
    })
    const ahead = hubspot.sign({ payload: events, secret: clientSecret, url, timestamp: now + 600 })
    expect(hubspot.verify({ ...ahead, secret: clientSecret, url, now }).ok).toBe(true)
  })

  it('compares the millisecond timestamp in milliseconds, as Signature.isValid does', () => {
    // isValid refuses `Date.now() - timestamp > 300000`: 300,500 ms is too old, 300,000 is not.
    const nowMs = 1_700_000_000_900
    const at = (ageMs: number, now: Date | number = new Date(nowMs)) => {
      const timestamp = String(nowMs - ageMs)
      const headers = {
        'x-hubspot-signature-v3': clientSignature('[]', nowMs - ageMs),
        'x-hubspot-request-timestamp': timestamp,
      }
      return hubspot.verify({ headers, body: '[]', secret: clientSecret, url, now })
    }
    expect(at(300_500)).toMatchObject({ reason: 'timestamp_too_old' })
    expect(at(300_001)).toMatchObject({ reason: 'timestamp_too_old' })
    expect(at(300_000).ok).toBe(true)
    expect(at(-3_600_000).ok).toBe(true)
    // `now` in whole seconds is that second's start, compared in milliseconds too.
    expect(at(300_500, 1_700_000_000)).toMatchObject({ ok: true })
    expect(at(301_000, 1_700_000_000)).toMatchObject({ reason: 'timestamp_too_old' })
  })

  it('refuses each tampering with its reason', () => {
    const now = 1_700_000_000
    const { headers, body } = hubspot.sign({
      payload: events,
      secret: clientSecret,
      url,
      timestamp: now,
    })
    const check = (overrides: object) =>
      hubspot.verify({ headers, body, secret: clientSecret, url, now, ...overrides })
    expect(check({ body: `${body as string} ` })).toMatchObject({ reason: 'bad_signature' })
    expect(check({ url: `${url}?x=1` })).toMatchObject({ reason: 'bad_signature' })
    expect(
      check({ headers: { ...headers, 'x-hubspot-request-timestamp': String(now * 1000 + 1) } }),
    ).toMatchObject({ reason: 'bad_signature' })
    expect(
      check({ headers: { 'x-hubspot-signature-v3': headers['x-hubspot-signature-v3']! } }),
    ).toMatchObject({ reason: 'missing_header' })
    expect(check({ secret: undefined, secrets: ['old', clientSecret] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    expect(() => hubspot.verify({ headers, body, secret: clientSecret, now })).toThrow(/url/)
    expect(getScheme('hubspot')).toBe(hubspot)
  })
})
