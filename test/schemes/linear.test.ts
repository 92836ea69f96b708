import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { getScheme, linear } from '../../src/index.js'

const secret = 'lin_wh_secret'
const event = {
  action: 'create',
  type: 'Issue',
  data: { id: 'i1' },
  webhookTimestamp: 1_700_000_000_000,
}

describe('linear', () => {
  it('signs the raw body into Linear-Signature as hex, as @linear/sdk verifies it', () => {
    const { headers, body } = linear.sign({ payload: event, secret })
    // LinearWebhookClient.verify: hex HMAC-SHA256 of the raw body, compared as text.
    const expected = createHmac('sha256', secret).update(body).digest('hex')
    expect(headers).toEqual({ 'linear-signature': expected })
    expect(linear.verify({ headers: { 'Linear-Signature': expected }, body, secret })).toEqual({
      ok: true,
      scheme: 'linear',
      secretIndex: 0,
    })
  })

  it('refuses each tampering with its reason', () => {
    const { headers, body } = linear.sign({ payload: event, secret })
    expect(linear.verify({ headers, body: `${body as string}\n`, secret })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(
      linear.verify({
        headers: { 'linear-signature': headers['linear-signature']!.toUpperCase() },
        body,
        secret,
      }),
    ).toMatchObject({ reason: 'bad_signature' })
    expect(linear.verify({ headers: {}, body, secret })).toMatchObject({ reason: 'missing_header' })
    expect(linear.verify({ headers, body, secrets: ['old', secret] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    expect(getScheme('linear')).toBe(linear)
  })
})
