import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { HookwrightError, standardWebhooks } from '../../../src/index.js'

/**
 * The Standard Webhooks reference libraries' own tests, ported as data. Sources, all in
 * standard-webhooks/standard-webhooks at b2fa7b8719fb75d326b591077f5d1b385cfcdfae:
 * - libraries/javascript/src/webhook.test.ts (`js`)
 * - libraries/python/tests/test_webhooks.py (`python`)
 * - libraries/go/webhook_test.go (`go`)
 * The installed `standardwebhooks` (JavaScript) is run on every case whose request it can take.
 */
const FILES = {
  js: 'standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts@b2fa7b8',
  python: 'standard-webhooks/standard-webhooks libraries/python/tests/test_webhooks.py@b2fa7b8',
  go: 'standard-webhooks/standard-webhooks libraries/go/webhook_test.go@b2fa7b8',
} as const

const defaultMsgID = 'msg_p5jXN8AQM9LWM0D4loKWxJek'
const defaultPayload = '{"test": 2432232314}'
const defaultSecret = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const TOLERANCE_MS = 5 * 60 * 1000

/** The tests' TestPayload: signed as the spec says, with the key decoded from base64. */
function testPayload(timestampMs = Date.now(), secret = defaultSecret) {
  const timestamp = Math.floor(timestampMs / 1000)
  const key = Buffer.from(secret, 'base64')
  const signature = createHmac('sha256', key)
    .update(`${defaultMsgID}.${timestamp}.${defaultPayload}`)
    .digest('base64')
  return {
    payload: defaultPayload,
    secret,
    headers: {
      'webhook-id': defaultMsgID,
      'webhook-signature': `v1,${signature}`,
      'webhook-timestamp': String(timestamp),
    } as Record<string, string>,
  }
}

type Request = ReturnType<typeof testPayload> & { tolerance?: number }

interface Case {
  from: keyof typeof FILES
  /** The test's name in its file. */
  it: string
  build(): Request
  /** What the source test expects. */
  spec: 'accept' | 'reject'
  /** Set where hookwright deliberately differs (docs/schemes.md), with what it does instead. */
  ours?: 'accept' | 'reject'
  difference?: string
}

const change = (r: Request, edit: (h: Record<string, string>) => void): Request => {
  edit(r.headers)
  return r
}
const sigs = (valid: string) =>
  [
    'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
    'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
    valid,
    'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
  ].join(' ')
// Go's VerifyIgnoringTimestamp: hookwright has no switch, so a tolerance wider than any age.
const IGNORE = { tolerance: 100 * 365 * 24 * 3600 }

const cases: Case[] = [
  // libraries/javascript/src/webhook.test.ts
  ...(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).map((name): Case => ({
    from: 'js',
    it: `missing ${name.slice(8)} raises error`,
    build: () => change(testPayload(), (h) => delete h[name]),
    spec: 'reject',
  })),
  {
    from: 'js',
    it: 'invalid timestamp throws error',
    build: () => change(testPayload(), (h) => (h['webhook-timestamp'] = 'hello')),
    spec: 'reject',
  },
  {
    from: 'js',
    it: 'invalid signature throws error',
    build: () =>
      change(testPayload(), (h) => (h['webhook-signature'] = 'v1,dawfeoifkpqwoekfpqoekf')),
    spec: 'reject',
  },
  {
    from: 'js',
    it: 'partial signature throws error (first 8 characters)',
    build: () =>
      change(testPayload(), (h) => (h['webhook-signature'] = h['webhook-signature']!.slice(0, 8))),
    spec: 'reject',
  },
  {
    from: 'js',
    it: 'partial signature throws error ("v1,")',
    build: () => change(testPayload(), (h) => (h['webhook-signature'] = 'v1,')),
    spec: 'reject',
  },
  {
    from: 'js',
    it: 'valid signature is valid and returns valid json',
    build: () => testPayload(),
    spec: 'accept',
  },
  {
    from: 'js',
    it: 'valid unbranded signature is valid and returns valid json',
    build: () => testPayload(),
    spec: 'accept',
  },
  {
    from: 'js',
    it: 'old timestamp fails',
    build: () => testPayload(Date.now() - TOLERANCE_MS - 1000),
    spec: 'reject',
  },
  {
    from: 'js',
    it: 'new timestamp fails',
    build: () => testPayload(Date.now() + TOLERANCE_MS + 1000),
    spec: 'reject',
  },
  {
    from: 'js',
    it: 'multi sig payload is valid',
    build: () =>
      change(testPayload(), (h) => (h['webhook-signature'] = sigs(h['webhook-signature']!))),
    spec: 'accept',
  },
  {
    from: 'js',
    it: 'verification works with and without signature prefix (whsec_)',
    build: () => ({ ...testPayload(), secret: `whsec_${defaultSecret}` }),
    spec: 'accept',
  },
  {
    from: 'js',
    it: 'empty payload returns undefined',
    build: () => {
      const r = testPayload()
      const ts = r.headers['webhook-timestamp']!
      const sig = createHmac('sha256', Buffer.from(defaultSecret, 'base64'))
        .update(`${defaultMsgID}.${ts}.`)
        .digest('base64')
      return { ...r, payload: '', headers: { ...r.headers, 'webhook-signature': `v1,${sig}` } }
    },
    spec: 'accept',
  },
  // libraries/python/tests/test_webhooks.py
  {
    from: 'python',
    it: 'test_invalid_signature_raises_error',
    build: () =>
      change(
        testPayload(),
        (h) => (h['webhook-signature'] = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='),
      ),
    spec: 'reject',
  },
  {
    from: 'python',
    it: 'test_signature_verification_with_unpadded_secret (needs no padding)',
    build: () => testPayload(Date.now(), 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
    spec: 'accept',
  },
  {
    from: 'python',
    it: 'test_signature_verification_with_unpadded_secret (needs one padding)',
    build: () => ({
      ...testPayload(Date.now(), 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS='),
      secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS',
    }),
    spec: 'accept',
  },
  {
    from: 'python',
    it: 'test_signature_verification_with_unpadded_secret (needs two padding)',
    build: () => ({
      ...testPayload(Date.now(), 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr=='),
      secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr',
    }),
    spec: 'accept',
  },
  {
    from: 'python',
    it: 'test_signature_verification_with_unpadded_secret (with prefix)',
    build: () => ({
      ...testPayload(Date.now(), 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr=='),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr',
    }),
    spec: 'accept',
  },
  {
    from: 'python',
    it: 'test_old_timestamp_fails (tolerance + 1 s)',
    build: () => testPayload(Date.now() - TOLERANCE_MS - 1000),
    spec: 'reject',
  },
  {
    from: 'python',
    it: 'test_new_timestamp_fails (tolerance + 1 s)',
    build: () => testPayload(Date.now() + TOLERANCE_MS + 1000),
    spec: 'reject',
  },
  // libraries/go/webhook_test.go (TestWebhook's table)
  { from: 'go', it: 'valid signature is valid', build: () => testPayload(), spec: 'accept' },
  {
    from: 'go',
    it: 'invalid signature is invalid',
    build: () =>
      change(
        testPayload(),
        (h) => (h['webhook-signature'] = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='),
      ),
    spec: 'reject',
  },
  {
    from: 'go',
    it: 'partial signature is invalid',
    build: () => change(testPayload(), (h) => (h['webhook-signature'] = 'v1,')),
    spec: 'reject',
  },
  {
    from: 'go',
    it: 'old timestamp fails (exactly the tolerance, with the sub-second part Go keeps)',
    build: () => testPayload(Date.now() - TOLERANCE_MS),
    spec: 'reject',
    ours: 'accept',
    difference:
      'Go compares time.Now() with its fractions of a second, so a timestamp exactly 300 s old in ' +
      'whole seconds is already past it; hookwright and the JavaScript libraries compare whole ' +
      'seconds and accept it (docs/schemes.md, sub-second boundaries).',
  },
  {
    from: 'go',
    it: 'new timestamp fails (tolerance + 1 s)',
    build: () => testPayload(Date.now() + TOLERANCE_MS + 1000),
    spec: 'reject',
  },
  {
    from: 'go',
    it: 'valid multi sig is valid',
    build: () =>
      change(testPayload(), (h) => (h['webhook-signature'] = sigs(h['webhook-signature']!))),
    spec: 'accept',
  },
  {
    from: 'go',
    it: 'old timestamp passes when ignoring tolerance',
    build: () => ({ ...testPayload(Date.now() - TOLERANCE_MS), ...IGNORE }),
    spec: 'accept',
  },
  {
    from: 'go',
    it: 'new timestamp passes when ignoring tolerance',
    build: () => ({ ...testPayload(Date.now() + TOLERANCE_MS), ...IGNORE }),
    spec: 'accept',
  },
  {
    from: 'go',
    it: 'valid timestamp passes when ignoring tolerance',
    build: () => ({ ...testPayload(), ...IGNORE }),
    spec: 'accept',
  },
  {
    from: 'go',
    it: 'invalid timestamp fails when ignoring tolerance',
    build: () => ({
      ...change(
        testPayload(),
        (h) => (h['webhook-timestamp'] = String(Date.UTC(2000, 0, 1) / 1000)),
      ),
      ...IGNORE,
    }),
    spec: 'reject',
  },
  {
    from: 'go',
    it: 'TestWebhookPrefix',
    build: () => ({ ...testPayload(), secret: `whsec_${defaultSecret}` }),
    spec: 'accept',
  },
]

/** Cases the API cannot express as a verify call, and why; the equivalents are checked below. */
const notExpressible: Record<string, string> = {
  'js: empty key raises error / python: test_empty_secret_raises_error / go: TestWebhookNoEmptySecrets, TestWebhookNoEmptyPrefixedSecrets':
    'A constructor check; hookwright has no Webhook object. The same secrets throw at verify and at sign instead (HOOKWRIGHT_INVALID_OPTION), checked below.',
  'go: TestWebhookNewRawNoEmptyPrefixedSecrets':
    'NewWebhookRaw takes raw key bytes; hookwright takes the secret as the provider shows it (whsec_… text).',
  'js: sign function works / python: test_sign_function / go: TestWebhookSign':
    'A vector for sign(msgId, timestamp, payload); checked below through sign({ payload, secret, id, timestamp }).',
  'python: test_valid_signature_is_valid_without_returning_json / json_parse':
    'hookwright never parses the body, so there is no json_parse switch.',
}

function officialOutcome(r: Request): 'accept' | 'reject' | 'not-applicable' {
  if (r.tolerance !== undefined) return 'not-applicable'
  try {
    new Webhook(r.secret).verify(r.payload, r.headers)
    return 'accept'
  } catch {
    return 'reject'
  }
}

describe('ported: the Standard Webhooks libraries’ own tests', () => {
  // One fixed clock for both verifiers, half-way through a second, so no case sits on the edge
  // of a second boundary while it runs.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_500)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(cases.map((c) => [`${c.from}: ${c.it}`, c] as const))('%s', (_title, c) => {
    const r = c.build()
    const result = standardWebhooks.verify({
      headers: r.headers,
      body: r.payload,
      secret: r.secret,
      ...(r.tolerance === undefined ? {} : { tolerance: r.tolerance }),
    })
    const ours = c.ours ?? c.spec
    expect(result.ok ? 'accept' : `reject (${result.reason})`).toMatch(new RegExp(`^${ours}`))
    if (c.ours !== undefined) expect(c.difference).toMatch(/docs\/schemes\.md/)
    // The installed JavaScript library agrees with the spec wherever the cases are whole seconds.
    const official = officialOutcome(r)
    if (official !== 'not-applicable') expect(official).toBe(ours)
  })

  it('cites every file it ports from', () => {
    expect(new Set(cases.map((c) => c.from))).toEqual(new Set(Object.keys(FILES)))
    expect(cases.length).toBe(32)
  })

  it('lists what it cannot express, with why, and checks the equivalents', () => {
    expect(Object.keys(notExpressible)).toHaveLength(4)
    const { headers, payload: body } = testPayload()
    expect(() => standardWebhooks.verify({ headers, body, secret: '' })).toThrow(HookwrightError)
    expect(() => standardWebhooks.verify({ headers, body, secret: 'whsec_' })).toThrow(
      HookwrightError,
    )
    expect(() => standardWebhooks.sign({ payload: body, secret: '' })).toThrow(HookwrightError)
    // The sign vector the three files share.
    const signed = standardWebhooks.sign({
      payload: '{"test": 2432232314}',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
    })
    expect(signed.headers['webhook-signature']).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    )
  })
})
