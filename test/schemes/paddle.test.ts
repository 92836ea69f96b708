import { Paddle } from '@paddle/paddle-node-sdk'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getScheme, paddle } from '../../src/index.js'

const secret = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI'
const event = {
  event_id: 'evt_01',
  event_type: 'hookwright.test',
  occurred_at: '2023-11-14T22:13:20Z',
  data: { id: 'txn_01' },
}
const now = 1_700_000_000
// The documented entry point; constructing it makes no request.
const official = new Paddle('pdl_sdbx_apikey_dummy').webhooks

describe('paddle', () => {
  // The SDK reads the real clock: pin it, so the 5 s window is the same on every machine.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(now * 1000)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('signs what the official SDK unmarshals', async () => {
    const { headers, body } = paddle.sign({ payload: event, secret })
    expect(headers['paddle-signature']).toMatch(/^ts=1700000000;h1=[0-9a-f]{64}$/)
    const parsed = await official.unmarshal(body as string, secret, headers['paddle-signature']!)
    expect(parsed.eventId).toBe('evt_01')
    expect(
      await official.isSignatureValid(body as string, 'pdl_other', headers['paddle-signature']!),
    ).toBe(false)
  })

  it('verifies what the SDK accepts and refuses what it refuses, at the 5 s edge', async () => {
    const body = JSON.stringify(event, null, 2)
    for (const age of [0, 5, 6]) {
      const { headers } = paddle.sign({ payload: body, secret, timestamp: now - age })
      const ours = paddle.verify({ headers, body, secret })
      const theirs = await official.isSignatureValid(body, secret, headers['paddle-signature']!)
      expect([age, ours.ok]).toEqual([age, theirs])
      if (!ours.ok) expect(ours.reason).toBe('timestamp_too_old')
    }
    // Like the SDK, a timestamp from the future is not refused.
    const future = paddle.sign({ payload: body, secret, timestamp: now + 60 })
    expect(paddle.verify({ ...future, secret }).ok).toBe(true)
  })

  it('refuses each tampering with its reason', () => {
    const { headers, body } = paddle.sign({ payload: event, secret })
    const value = headers['paddle-signature']!
    const check = (header: string | undefined, b = body as string) =>
      paddle.verify({
        headers: header === undefined ? {} : { 'Paddle-Signature': header },
        body: b,
        secret,
      })
    expect(check(value, `${body as string} `)).toMatchObject({ ok: false, reason: 'bad_signature' })
    expect(check(value.replace('ts=1700000000', 'ts=1700000001'))).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check(value.slice(0, -1) + (value.endsWith('0') ? '1' : '0'))).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check(value.split(';')[1])).toMatchObject({ reason: 'malformed_header' })
    expect(check('ts=1700000000')).toMatchObject({ reason: 'malformed_header' })
    expect(check('ts=soon;h1=ab')).toMatchObject({ reason: 'malformed_header' })
    expect(check(undefined)).toMatchObject({ reason: 'missing_header' })
  })

  it('accepts either h1 during a secret rotation, and any of several secrets', () => {
    const { body, headers } = paddle.sign({ payload: event, secret: 'pdl_new' })
    const old = paddle.sign({ payload: event, secret: 'pdl_old' }).headers['paddle-signature']!
    const both = `${old};${headers['paddle-signature']!.split(';')[1]}`
    expect(
      paddle.verify({ headers: { 'paddle-signature': both }, body, secret: 'pdl_new' }).ok,
    ).toBe(true)
    expect(paddle.verify({ headers, body, secrets: ['pdl_old', 'pdl_new'] })).toMatchObject({
      ok: true,
      secretIndex: 1,
      timestamp: now,
    })
    const generated = paddle.generateSecret()
    expect(generated.signSecret).toMatch(/^pdl_ntfset_/)
    expect(getScheme('paddle')).toBe(paddle)
  })

  it('refuses a timestamp a millisecond past the 5 s, saying by how much, as the SDK does', async () => {
    const body = JSON.stringify(event)
    const { headers } = paddle.sign({ payload: body, secret, timestamp: now })
    vi.setSystemTime(now * 1000 + 5_001)
    expect(await official.isSignatureValid(body, secret, headers['paddle-signature']!)).toBe(false)
    expect(paddle.verify({ headers, body, secret })).toEqual({
      ok: false,
      scheme: 'paddle',
      reason: 'timestamp_too_old',
      message: 'The timestamp is 5.001s old, more than the tolerance of 5s.',
    })
    vi.setSystemTime(now * 1000 + 5_000)
    expect(await official.isSignatureValid(body, secret, headers['paddle-signature']!)).toBe(true)
    expect(paddle.verify({ headers, body, secret })).toEqual({
      ok: true,
      scheme: 'paddle',
      secretIndex: 0,
      timestamp: now,
    })
  })

  it('skips items with no "=" or no key, as the SDK does, and names what is missing', async () => {
    const body = JSON.stringify(event)
    const signed = paddle.sign({ payload: body, secret }).headers['paddle-signature']!
    const h1 = signed.split(';h1=')[1]!
    const verify = (header: string) => {
      const result = paddle.verify({ headers: { 'paddle-signature': header }, body, secret })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    // An item with an empty value is skipped too.
    for (const header of [
      `${signed};tsx`,
      `${signed};h1`,
      `=x;${signed}`,
      `ts;${signed}`,
      `${signed};ts=`,
      `${signed};h1=`,
    ]) {
      expect([header, verify(header)]).toEqual([header, 'ok'])
      expect(await official.isSignatureValid(body, secret, header)).toBe(true)
    }
    expect(verify(`h1=${h1}`)).toBe(
      'malformed_header: The Paddle-Signature header has no valid ts=<timestamp>.',
    )
    expect(verify(`ts=${now}`)).toBe(
      'malformed_header: The Paddle-Signature header has no h1=<signature>.',
    )
    expect(verify(`ts=${now};h1=${'0'.repeat(64)}`)).toBe(
      'bad_signature: No h1 signature matches the body and secret key.',
    )
    expect(paddle.verify({ headers: {}, body, secret })).toMatchObject({
      reason: 'missing_header',
      message: 'The Paddle-Signature header is missing.',
    })
  })
})
