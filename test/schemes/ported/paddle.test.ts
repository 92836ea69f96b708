import { Paddle } from '@paddle/paddle-node-sdk'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { paddle } from '../../../src/index.js'

/**
 * Ported from PaddleHQ/paddle-node-sdk `src/__tests__/notifications/webhooks-validator.test.ts`
 * (the same cases as `webhooks-validator.node.test.ts`): signatures made with `VALID_SECRET`,
 * checked at the source's fake times by hookwright's `paddle` scheme and by the installed SDK's
 * `isSignatureValid`, which must both give the source test's answer.
 */
const SOURCE = 'PaddleHQ/paddle-node-sdk src/__tests__/notifications/webhooks-validator.test.ts'

// The source's `new Date('11/01/2023')` on a UTC machine: ts=1698796800.
const NOV_1 = Date.UTC(2023, 10, 1)
const header = 'ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9'
const official = new Paddle('pdl_sdbx_apikey_dummy').webhooks

interface Case {
  test: string
  body: string
  signature: string
  secret: string
  /** Milliseconds since the epoch, the source's `jest.setSystemTime`. */
  at: number
  expect: string
}

const cases: Case[] = [
  {
    test: 'should validate Valid signature',
    body: '{"data": ["1", "2"]}',
    signature: header,
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'ok',
  },
  {
    test: 'should validate Valid signature with multiple hashes',
    body: '{"data": "value"}',
    signature:
      'ts=1698796800;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h2=RANDOM_HASH',
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'ok',
  },
  {
    test: 'should validate Invalid secret',
    body: '{"data": ["1", "2"]}',
    signature: header,
    secret: 'INVALID_VALID_SECRET',
    at: NOV_1,
    expect: 'bad_signature',
  },
  // The SDK refuses on age first; hookwright checks the signature first (see docs/schemes.md).
  {
    test: 'should validate InValid timestamp',
    body: '{"data": ["1", "2"]}',
    signature: header.replace('1698796800', '9876'),
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'bad_signature',
  },
  {
    test: 'should validate Invalid data - has more space',
    body: '{ "data": [ "1", "2" ]}',
    signature: header,
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'bad_signature',
  },
  {
    test: 'should validate Invalid signature',
    body: '{"data": ["1", "2"]}',
    signature: 'ts=1234;h1=invalid_signature',
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'bad_signature',
  },
  {
    test: 'Validates signature with correct TS within 5 seconds',
    body: '{"data": ["1", "2"]}',
    signature: header,
    secret: 'VALID_SECRET',
    at: NOV_1 + 1000,
    expect: 'ok',
  },
  {
    test: 'Validates signature at max allowed time at 5 seconds',
    body: '{"data": ["1", "2"]}',
    signature: header,
    secret: 'VALID_SECRET',
    at: NOV_1 + 5000,
    expect: 'ok',
  },
  {
    test: 'Will reject if current time is more than 5seconds',
    body: '{"data": ["1", "2"]}',
    signature: header,
    secret: 'VALID_SECRET',
    at: NOV_1 + 6000,
    expect: 'timestamp_too_old',
  },
  {
    test: 'Will reject if current time is more than a few days',
    body: '{"data": ["1", "2"]}',
    signature: header,
    secret: 'VALID_SECRET',
    at: Date.UTC(2023, 10, 5),
    expect: 'timestamp_too_old',
  },
  // "validate header - …": the SDK throws '[Paddle] Invalid webhook signature'.
  {
    test: 'validate header - Missing TS and H1',
    body: '{"data": ["1", "2"]}',
    signature: 'invalid_header',
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'malformed_header',
  },
  {
    test: 'validate header - Missing TS',
    body: '{"data": ["1", "2"]}',
    signature: 'h1=invalid_header',
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'malformed_header',
  },
  {
    test: 'validate header - Missing H1',
    body: '{"data": ["1", "2"]}',
    signature: 'ts=1234;h2=invalid_header',
    secret: 'VALID_SECRET',
    at: NOV_1,
    expect: 'malformed_header',
  },
]

describe(`ported: ${SOURCE}`, () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(cases)('$test', async (c) => {
    const result = paddle.verify({
      headers: { 'paddle-signature': c.signature },
      body: c.body,
      secret: c.secret,
      now: new Date(c.at),
    })
    expect(result.ok ? 'ok' : result.reason).toBe(c.expect)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(c.at)
    const theirs = await official
      .isSignatureValid(c.body, c.secret, c.signature)
      .catch((error: Error) => error.message)
    expect(theirs).toBe(
      c.expect === 'ok'
        ? true
        : c.expect === 'malformed_header'
          ? '[Paddle] Invalid webhook signature'
          : false,
    )
  })
})
