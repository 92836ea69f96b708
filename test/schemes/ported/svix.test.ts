import { createHmac } from 'node:crypto'
import { Webhook } from 'svix'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HookwrightError, svix } from '../../../src/index.js'

/**
 * svix's own JavaScript webhook tests, ported as data.
 * Source: svix/svix-webhooks, javascript/src/webhook.test.ts at
 * 4fc0cfb8b426c87ef7e2b937e7d896a71d456a47. The installed `svix` package is run on every case.
 */
const SOURCE = 'svix/svix-webhooks javascript/src/webhook.test.ts@4fc0cfb8b'

const defaultMsgID = 'msg_p5jXN8AQM9LWM0D4loKWxJek'
const defaultPayload = '{"test": 2432232314}'
const defaultSecret = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const TOLERANCE_MS = 5 * 60 * 1000

/** The test's TestPayload: svix-* headers, signed with the base64-decoded key. */
function testPayload(timestampMs = Date.now()) {
  const timestamp = Math.floor(timestampMs / 1000)
  const signature = createHmac('sha256', Buffer.from(defaultSecret, 'base64'))
    .update(`${defaultMsgID}.${timestamp}.${defaultPayload}`)
    .digest('base64')
  return {
    payload: defaultPayload,
    secret: defaultSecret,
    headers: {
      'svix-id': defaultMsgID,
      'svix-signature': `v1,${signature}`,
      'svix-timestamp': String(timestamp),
    } as Record<string, string>,
  }
}

type Request = ReturnType<typeof testPayload>

interface Case {
  /** The test's name in the source file. */
  it: string
  build(): Request
  spec: 'accept' | 'reject'
}

const change = (r: Request, edit: (h: Record<string, string>) => void): Request => {
  edit(r.headers)
  return r
}

const cases: Case[] = [
  ...(['svix-id', 'svix-timestamp', 'svix-signature'] as const).map((name): Case => ({
    it: `missing ${name.slice(5)} raises error`,
    build: () => change(testPayload(), (h) => delete h[name]),
    spec: 'reject',
  })),
  {
    it: 'invalid timestamp throws error',
    build: () => change(testPayload(), (h) => (h['svix-timestamp'] = 'hello')),
    spec: 'reject',
  },
  {
    it: 'invalid signature throws error',
    build: () => change(testPayload(), (h) => (h['svix-signature'] = 'v1,dawfeoifkpqwoekfpqoekf')),
    spec: 'reject',
  },
  {
    it: 'partial signature throws error (first 8 characters)',
    build: () =>
      change(testPayload(), (h) => (h['svix-signature'] = h['svix-signature']!.slice(0, 8))),
    spec: 'reject',
  },
  {
    it: 'partial signature throws error ("v1,")',
    build: () => change(testPayload(), (h) => (h['svix-signature'] = 'v1,')),
    spec: 'reject',
  },
  {
    it: 'valid signature is valid and returns valid json',
    build: () => testPayload(),
    spec: 'accept',
  },
  {
    it: 'valid unbranded signature is valid and returns valid json',
    build: () => {
      const r = testPayload()
      return {
        ...r,
        headers: {
          'webhook-id': r.headers['svix-id']!,
          'webhook-signature': r.headers['svix-signature']!,
          'webhook-timestamp': r.headers['svix-timestamp']!,
        },
      }
    },
    spec: 'accept',
  },
  {
    it: 'old timestamp fails',
    build: () => testPayload(Date.now() - TOLERANCE_MS - 1000),
    spec: 'reject',
  },
  {
    it: 'new timestamp fails',
    build: () => testPayload(Date.now() + TOLERANCE_MS + 1000),
    spec: 'reject',
  },
  {
    it: 'multi sig payload is valid',
    build: () =>
      change(testPayload(), (h) => {
        h['svix-signature'] = [
          'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
          'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
          h['svix-signature'],
          'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
        ].join(' ')
      }),
    spec: 'accept',
  },
  {
    it: 'verification works with and without signature prefix',
    build: () => ({ ...testPayload(), secret: `whsec_${defaultSecret}` }),
    spec: 'accept',
  },
]

/** Cases the API cannot express as a verify call, and why; the equivalents are checked below. */
const notExpressible: Record<string, string> = {
  'empty key raises error':
    'A constructor check; hookwright has no Webhook object. An empty secret throws at verify and at sign instead (HOOKWRIGHT_INVALID_OPTION), checked below.',
  'sign function works':
    'A vector for sign(msgId, timestamp, payload); checked below through svix.sign({ payload, secret, id, timestamp }).',
}

describe(`ported: ${SOURCE}`, () => {
  // One fixed clock for both verifiers, half-way through a second.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_500)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(cases.map((c) => [c.it, c] as const))('%s', (_title, c) => {
    const r = c.build()
    const result = svix.verify({ headers: r.headers, body: r.payload, secret: r.secret })
    expect(result.ok ? 'accept' : 'reject').toBe(c.spec)
    let official: 'accept' | 'reject' = 'accept'
    try {
      new Webhook(r.secret).verify(r.payload, r.headers)
    } catch {
      official = 'reject'
    }
    expect(official).toBe(c.spec)
  })

  it('lists what it cannot express, with why, and checks the equivalents', () => {
    expect(Object.keys(notExpressible)).toEqual(['empty key raises error', 'sign function works'])
    const { headers, payload } = testPayload()
    expect(() => svix.verify({ headers, body: payload, secret: '' })).toThrow(HookwrightError)
    expect(() => svix.sign({ payload, secret: '' })).toThrow(HookwrightError)
    const signed = svix.sign({
      payload: '{"test": 2432232314}',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
    })
    expect(signed.headers['svix-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })
})
