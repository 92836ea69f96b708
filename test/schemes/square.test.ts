import { describe, expect, it } from 'vitest'
import { getScheme, square } from '../../src/index.js'

// The vectors from the square SDK's own webhook tests (tests/integration/webhooks.test.ts).
const body =
  '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}'
const signatureKey = 'Ibxx_5AKakO-3qeNVR61Dw'
const url = 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9'
const signature = 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4='

describe('square', () => {
  it('signs and verifies the SDK’s published vectors', () => {
    expect(square.sign({ payload: body, secret: signatureKey, url }).headers).toEqual({
      'x-square-hmacsha256-signature': signature,
    })
    const headers = { 'X-Square-HmacSha256-Signature': signature }
    expect(square.verify({ headers, body, secret: signatureKey, url })).toEqual({
      ok: true,
      scheme: 'square',
      secretIndex: 0,
    })
    const escaped = square.sign({
      payload: '{"data":{"type":"webhooks","id":">id<"}}',
      secret: 'signature-key',
      url: 'https://webhook.site/webhooks',
    })
    expect(escaped.headers['x-square-hmacsha256-signature']).toBe(
      'Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=',
    )
  })

  it('refuses what the SDK refuses: another URL, key, signature or body', () => {
    const headers = { 'x-square-hmacsha256-signature': signature }
    const check = (overrides: object) =>
      square.verify({ headers, body, secret: signatureKey, url, ...overrides })
    expect(
      check({ url: 'https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9' }),
    ).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ secret: 'MCmhFRxGX82xMwg5FsaoQA' })).toMatchObject({ reason: 'bad_signature' })
    expect(
      check({ headers: { 'x-square-hmacsha256-signature': '1z2n3DEJJiUPKcPzQo1ftvbxGdw=' } }),
    ).toMatchObject({ reason: 'bad_signature' })
    expect(check({ body: body.replace('2022-07-13', '2022-06-13') })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ body: JSON.stringify(JSON.parse(body), null, 4) })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ headers: {} })).toMatchObject({ reason: 'missing_header' })
    expect(check({ secret: undefined, secrets: ['old', signatureKey] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
  })

  it('needs the notification URL, as the SDK does', () => {
    expect(() => square.verify({ headers: {}, body, secret: signatureKey })).toThrow(
      /`square.verify\(\{ url \}\)`/,
    )
    expect(() => square.sign({ payload: body, secret: signatureKey })).toThrow(/url/)
    expect(getScheme('square')).toBe(square)
  })
})
