import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { getScheme, zoom } from '../../src/index.js'

const secretToken = 'zoom-secret-token'
const event = { event: 'meeting.started', payload: { object: { id: '123' } } }

describe('zoom', () => {
  it('signs "v0:<timestamp>:<body>" into x-zm-signature, as Zoom’s docs compute it', () => {
    const now = 1_700_000_000
    const { headers, body } = zoom.sign({ payload: event, secret: secretToken, timestamp: now })
    // The recipe from Zoom's "Verify webhook events" page, written out with node:crypto.
    const message = `v0:${headers['x-zm-request-timestamp']}:${body as string}`
    const expected = `v0=${createHmac('sha256', secretToken).update(message).digest('hex')}`
    expect(headers).toEqual({ 'x-zm-signature': expected, 'x-zm-request-timestamp': String(now) })
    expect(zoom.verify({ headers, body, secret: secretToken, now })).toEqual({
      ok: true,
      scheme: 'zoom',
      secretIndex: 0,
      timestamp: now,
    })
  })

  it('refuses each tampering with its reason', () => {
    const now = 1_700_000_000
    const { headers, body } = zoom.sign({ payload: event, secret: secretToken, timestamp: now })
    const check = (h: Record<string, string>, extra: object = {}) =>
      zoom.verify({ headers: h, body, secret: secretToken, now, ...extra })
    expect(check(headers, { body: `${body as string} ` })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ ...headers, 'x-zm-request-timestamp': String(now + 1) })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(
      check({ ...headers, 'x-zm-signature': headers['x-zm-signature']!.slice(3) }),
    ).toMatchObject({
      reason: 'malformed_header',
    })
    expect(check({ 'x-zm-signature': headers['x-zm-signature']! })).toMatchObject({
      reason: 'missing_header',
    })
    expect(check(headers, { now: now + 301 })).toMatchObject({ reason: 'timestamp_too_old' })
    expect(check(headers, { now: now - 301 })).toMatchObject({ reason: 'timestamp_in_future' })
    expect(check(headers, { secret: undefined, secrets: ['old', secretToken] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    expect(getScheme('zoom')).toBe(zoom)
  })
})
