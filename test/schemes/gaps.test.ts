import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  HookwrightError,
  WebhookVerificationError,
  github,
  standardWebhooks,
  stripe,
  token,
} from '../../src/index.js'
import type { VerifyResult } from '../../src/index.js'

// Behaviour every scheme shares through defineScheme (options, secrets, time, headers, bodies),
// and the GitHub, token and Standard Webhooks details a handler relies on: which secret matched,
// which reason, which bound. Each was a change mutation testing showed no test would notice.

const payload = { action: 'opened', number: 1 }
const secret = 'gh-secret'
const now = 1_700_000_000

const reasonOf = (result: VerifyResult) => (result.ok ? 'ok' : result.reason)

/** The error `run` throws; fails the test if it returns. */
function thrown(run: () => unknown): HookwrightError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(HookwrightError)
    return error as HookwrightError
  }
  return expect.unreachable('expected a throw')
}

describe('options every scheme checks the same way', () => {
  it('verifyOrThrow returns the success result of verify', () => {
    const { headers, body } = stripe.sign({ payload, secret, timestamp: now })
    expect(stripe.verifyOrThrow({ headers, body, secret, now })).toStrictEqual({
      ok: true,
      scheme: 'stripe',
      secretIndex: 0,
      timestamp: now,
    })
  })

  it('verifyOrThrow throws a WebhookVerificationError naming the scheme and reason', () => {
    const { headers, body } = github.sign({ payload, secret })
    const error = thrown(() => github.verifyOrThrow({ headers, body: `${body} `, secret }))
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect(error).toMatchObject({
      name: 'WebhookVerificationError',
      code: 'HOOKWRIGHT_VERIFICATION_FAILED',
      reason: 'bad_signature',
      scheme: 'github',
      message: 'github: The signature does not match the body and secret.',
    })
  })

  it('refuses a `now` or `timestamp` that is not a time, so no timestamp check is silently off', () => {
    const { headers, body } = stripe.sign({ payload, secret, timestamp: now })
    for (const bad of [Number.NaN, new Date('x'), -1, Infinity, '1700000000']) {
      const error = thrown(() => stripe.verify({ headers, body, secret, now: bad as never }))
      expect(error.code).toBe('HOOKWRIGHT_INVALID_OPTION')
      expect(error.message).toMatch(/^Invalid option `now`: expected a (valid )?Date or/)
    }
    expect(thrown(() => stripe.sign({ payload, secret, timestamp: new Date('x') })).message).toBe(
      'Invalid option `timestamp`: expected a valid Date or Unix seconds, got "Invalid Date".',
    )
    expect(thrown(() => stripe.sign({ payload, secret, timestamp: Number.NaN })).message).toBe(
      'Invalid option `timestamp`: expected a Date or a number of Unix seconds, got NaN.',
    )
  })

  it('takes seconds up to 1e11 and refuses larger numbers as milliseconds', () => {
    const t = (timestamp: number | Date) =>
      stripe.sign({ payload, secret, timestamp }).headers['stripe-signature']!.split(',')[0]
    expect(t(1e11)).toBe('t=100000000000')
    expect(t(0)).toBe('t=0')
    // Fractions of a second are dropped, from numbers and from Dates.
    expect(t(now + 0.9)).toBe(`t=${now}`)
    expect(t(new Date(now * 1000 + 999))).toBe(`t=${now}`)
    const error = thrown(() => stripe.sign({ payload, secret, timestamp: 1e11 + 1 }))
    expect(error.message).toMatch(/`timestamp`.*looks like milliseconds/)
  })

  it('refuses a tolerance that is negative, not finite or not a number, naming `tolerance`', () => {
    const { headers, body } = stripe.sign({ payload, secret, timestamp: now })
    for (const bad of [-1, Number.NaN, Infinity, '5']) {
      const error = thrown(() =>
        stripe.verify({ headers, body, secret, now, tolerance: bad as never }),
      )
      expect(error.message).toMatch(
        /^Invalid option `tolerance`: expected a number of seconds >= 0/,
      )
    }
    expect(stripe.verify({ headers, body, secret, now, tolerance: 0 }).ok).toBe(true)
  })

  it('accepts a signature exactly `tolerance` seconds old and refuses one a second older', () => {
    const at = (age: number, tolerance?: number) => {
      const { headers, body } = stripe.sign({ payload, secret, timestamp: now - age })
      return reasonOf(stripe.verify({ headers, body, secret, now, tolerance }))
    }
    // Stripe's default is 300 s, as stripe.webhooks.constructEvent.
    expect(stripe.tolerance).toBe(300)
    expect([at(300), at(301)]).toEqual(['ok', 'timestamp_too_old'])
    expect([at(10, 10), at(11, 10), at(0, 0), at(1, 0)]).toEqual([
      'ok',
      'timestamp_too_old',
      'ok',
      'timestamp_too_old',
    ])
    // Stripe only refuses old timestamps; a clock ahead by an hour is the sender's business.
    expect(at(-3600)).toBe('ok')
  })

  it('signs at the current time and checks against it when no time is given', () => {
    const before = Math.floor(Date.now() / 1000)
    const { headers, body } = stripe.sign({ payload, secret })
    const after = Math.floor(Date.now() / 1000)
    const t = Number(/^t=(\d+),/.exec(headers['stripe-signature']!)?.[1])
    expect(t).toBeGreaterThanOrEqual(before)
    expect(t).toBeLessThanOrEqual(after)
    expect(stripe.verify({ headers, body, secret })).toMatchObject({ ok: true, timestamp: t })
    const stale = stripe.sign({ payload, secret, timestamp: before - 3600 })
    expect(reasonOf(stripe.verify({ ...stale, secret }))).toBe('timestamp_too_old')
  })

  it('says how far out of tolerance a timestamp is, in either direction', () => {
    const message = (offset: number) => {
      const sw = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
      const signed = standardWebhooks.sign({ payload, secret: sw, timestamp: now + offset })
      const result = standardWebhooks.verify({ ...signed, secret: sw, now })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(message(-301)).toBe(
      'timestamp_too_old: The timestamp is 301s old, more than the tolerance of 300s.',
    )
    expect(message(302)).toBe(
      'timestamp_in_future: The timestamp is 302s in the future, more than the tolerance of 300s.',
    )
  })

  it('verifies a body given as an ArrayBuffer (await req.arrayBuffer())', () => {
    const { headers, body } = github.sign({ payload: { text: 'héllo' }, secret })
    const arrayBuffer = new TextEncoder().encode(body as string).buffer
    expect(github.verify({ headers, body: arrayBuffer, secret }).ok).toBe(true)
    expect(thrown(() => github.verify({ headers, body: 42 as never, secret })).message).toMatch(
      /^Invalid option `body`: expected the raw body as a string, Buffer, Uint8Array or ArrayBuffer, got 42\.$/,
    )
  })

  it('signs string and byte payloads as they are and objects as compact JSON', () => {
    const bytes = Uint8Array.from([0xff, 0x00, 0x7b])
    expect(github.sign({ payload: bytes, secret }).body).toBe(bytes)
    expect(github.sign({ payload: ' {"a": 1} ', secret }).body).toBe(' {"a": 1} ')
    expect(github.sign({ payload: { a: [1, 2] }, secret }).body).toBe('{"a":[1,2]}')
    for (const bad of [null, 42, undefined, () => ({})]) {
      const error = thrown(() => github.sign({ payload: bad as never, secret }))
      expect(error.message).toMatch(/^Invalid option `payload`: expected an object, a string/)
    }
  })

  it('names what is wrong with the options object, the secret and the headers', () => {
    const { headers, body } = github.sign({ payload, secret })
    const cases: Array<[() => unknown, string, RegExp]> = [
      [() => github.sign(null as never), 'HOOKWRIGHT_INVALID_OPTION', /`github.sign\(options\)`/],
      [() => github.sign('x' as never), 'HOOKWRIGHT_INVALID_OPTION', /`github.sign\(options\)`/],
      [
        () => github.verify('x' as never),
        'HOOKWRIGHT_INVALID_OPTION',
        /`github.verify\(options\)`: expected an object with headers, body and secret/,
      ],
      [
        () => github.verify({ headers: 'x-hub-signature-256: sha256=00' as never, body, secret }),
        'HOOKWRIGHT_INVALID_OPTION',
        /`headers`: expected an object/,
      ],
      [
        () => github.verify(null as never),
        'HOOKWRIGHT_INVALID_OPTION',
        /`github.verify\(options\)`/,
      ],
      [
        () => github.sign({ payload } as never),
        'HOOKWRIGHT_MISSING_SECRET',
        /^github.sign: `secret` must be a non-empty string \(none was given\)\.$/,
      ],
      [
        () => github.sign({ payload, secret: 42 } as never),
        'HOOKWRIGHT_MISSING_SECRET',
        /^github.sign: `secret` must be a non-empty string\.$/,
      ],
      [
        () => github.verify({ headers, body } as never),
        'HOOKWRIGHT_MISSING_SECRET',
        /^github.verify: pass `secret` \(a string\) or `secrets`/,
      ],
      [
        () => github.verify({ headers, body, secret, secrets: [secret] }),
        'HOOKWRIGHT_INVALID_OPTION',
        /`secret`: expected either `secret` or `secrets`, not both/,
      ],
      [
        () => github.verify({ headers, body, secrets: secret as never }),
        'HOOKWRIGHT_INVALID_OPTION',
        /`secrets`: expected an array of strings, got \(hidden\)/,
      ],
      [
        () => github.verify({ headers, body, secrets: [secret, 7 as never] }),
        'HOOKWRIGHT_INVALID_OPTION',
        /`secret`: expected a string/,
      ],
      [
        () => github.verify({ headers, body, secret: 7 as never }),
        'HOOKWRIGHT_INVALID_OPTION',
        /`secret`: expected a string/,
      ],
      [
        () => github.verify({ headers: null as never, body, secret }),
        'HOOKWRIGHT_INVALID_OPTION',
        /`headers`: expected an object, a Headers instance or \[name, value\] pairs, got null/,
      ],
    ]
    for (const [run, code, message] of cases) {
      const error = thrown(run)
      expect(error.name).toBe('HookwrightError')
      expect({ code: error.code, message: error.message }).toEqual({
        code,
        message: expect.stringMatching(message),
      })
      expect(error.message).not.toContain(secret)
    }
  })

  it('says whether a refused secret was empty or only whitespace, and what else was wrong', () => {
    const body = '{}'
    const headers = { 'x-hub-signature-256': 'sha256=00' }
    expect(thrown(() => github.sign({ payload, secret: '' })).message).toBe(
      'Invalid option `secret` of github.sign: expected a secret that is not empty or only whitespace, got an empty string.',
    )
    expect(thrown(() => github.verify({ headers, body, secret: ' \t' })).message).toBe(
      'Invalid option `secret` of github.verify: expected a secret that is not empty or only whitespace, got only whitespace.',
    )
    expect(github.verify({ headers, body, secrets: ['', ' '] })).toMatchObject({
      reason: 'missing_secret',
      message: 'Every secret in `secrets` is empty: check the configuration that supplies them.',
    })
    expect(thrown(() => github.verify({ headers, body, secret, secrets: [secret] })).message).toBe(
      'Invalid option `secret`: expected either `secret` or `secrets`, not both, got (hidden).',
    )
    expect(thrown(() => github.verify({ headers, body, secrets: [7 as never] })).message).toBe(
      'Invalid option `secret`: expected a string, got (hidden).',
    )
    expect(thrown(() => github.sign('x' as never)).message).toBe(
      'Invalid option `github.sign(options)`: expected an object with payload and secret, got "x".',
    )
    expect(thrown(() => github.sign({ payload, secret, url: 5 as never })).message).toBe(
      'Invalid option `url`: expected the full request URL as a string, got 5.',
    )
    expect(thrown(() => github.sign({ payload, secret, id: 'a\r\nb' })).message).toMatch(
      /^Invalid option `id`: expected a non-empty string without control characters \(no CR or LF\)/,
    )
  })

  it('refuses a payload JSON.stringify cannot serialise, saying why', () => {
    expect(thrown(() => github.sign({ payload: { n: 1n }, secret })).message).toMatch(
      /^Invalid option `payload`: expected an object JSON.stringify can serialise \(Do not know how to serialize a BigInt\)/,
    )
    const nothing = { toJSON: () => undefined }
    expect(thrown(() => github.sign({ payload: nothing, secret })).message).toMatch(
      /^Invalid option `payload`: expected an object JSON.stringify can serialise \(its toJSON gave nothing\)/,
    )
  })

  it('gives a scheme made at run time the default secret generator', () => {
    const custom = token.with({ header: 'X-Run-Time' })
    expect(custom.generateSecret().signSecret).toMatch(/^[0-9a-f]{64}$/)
  })

  it('never lets an empty entry of `secrets` verify a request signed with an empty key', () => {
    const body = JSON.stringify(payload)
    const emptyKeyed = `sha256=${createHmac('sha256', '').update(body).digest('hex')}`
    const headers = { 'x-hub-signature-256': emptyKeyed }
    // A blank entry (an old secret's unset variable) is skipped, never used as a key.
    expect(reasonOf(github.verify({ headers, body, secrets: ['', 'real-secret'] }))).toBe(
      'bad_signature',
    )
    // The real entry still works, and reports its own place in the list as given.
    const signed = github.sign({ payload: body, secret: 'real-secret' })
    expect(github.verify({ ...signed, secrets: ['', ' ', 'real-secret'] })).toMatchObject({
      ok: true,
      secretIndex: 2,
    })
  })

  it('reports the first matching secret when a secret is listed twice', () => {
    const { headers, body } = github.sign({ payload, secret })
    expect(github.verify({ headers, body, secrets: [secret, secret] })).toMatchObject({
      secretIndex: 0,
    })
    expect(github.verify({ headers, body, secrets: ['old', secret, secret] })).toMatchObject({
      secretIndex: 1,
    })
    const sw = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const signed = standardWebhooks.sign({ payload, secret: sw, timestamp: now })
    const other = 'whsec_' + Buffer.alloc(24, 3).toString('base64')
    for (const [secrets, index] of [
      [[sw, sw], 0],
      [[other, sw, sw], 1],
    ] as const) {
      expect(
        standardWebhooks.verify({ ...signed, secrets, now }),
        JSON.stringify(index),
      ).toMatchObject({ ok: true, secretIndex: index })
    }
  })
})

describe('header lookup', () => {
  const body = '{}'

  it('treats undefined and null header values as absent, not as the text "undefined"', () => {
    const undefinedToken = token.verify({
      headers: { 'x-webhook-token': undefined },
      body,
      secret: 'undefined',
    })
    expect(reasonOf(undefinedToken)).toBe('missing_header')
    const nullToken = token.verify({
      headers: { 'X-Webhook-Token': null as never },
      body,
      secret: 'null',
    })
    expect(reasonOf(nullToken)).toBe('missing_header')
    const pairs = token.verify({
      headers: [['x-webhook-token', undefined as never]],
      body,
      secret: 'undefined',
    })
    expect(reasonOf(pairs)).toBe('missing_header')
  })

  it('treats a lower-case null as absent too (the direct lookup), not as a value to format', () => {
    const nullToken = token.verify({
      headers: { 'x-webhook-token': null as never },
      body,
      secret: 'null',
    })
    expect(reasonOf(nullToken)).toBe('missing_header')
  })

  it('finds each header in a hand-made object that mixes lower-case and other casings', () => {
    const secret = 'whsec_mixed'
    const signed = stripe.sign({ payload: { id: 'evt_1' }, secret })
    const headers = {
      'content-type': 'application/json',
      'Stripe-Signature': signed.headers['stripe-signature']!,
    }
    expect(stripe.verify({ headers, body: signed.body, secret }).ok).toBe(true)
  })

  it('joins array values of strings and numbers, and refuses arrays of anything else, naming what it takes', () => {
    // Numbers are not in the type, but plain objects built by hand carry them; they join as text.
    const numbers = { 'x-webhook-token': [123] as never }
    expect(token.verify({ headers: numbers, body, secret: '123' }).ok).toBe(true)
    const mixed = { 'x-webhook-token': ['a', 1] as never }
    expect(token.verify({ headers: mixed, body, secret: 'a, 1' }).ok).toBe(true)
    expect(() =>
      token.verify({ headers: { 'x-webhook-token': [{}] as never }, body, secret: 's' }),
    ).toThrow(
      /^Invalid option `headers`: expected values that are strings, numbers or arrays of strings/,
    )
  })

  it('finds a header under any casing, in objects, pairs and Headers', () => {
    for (const headers of [
      { 'X-WEBHOOK-TOKEN': 't0k' },
      { 'x-webhook-token': 't0k' },
      [['X-Webhook-Token', 't0k']] as Array<[string, string]>,
      new Headers({ 'X-Webhook-Token': 't0k' }),
    ]) {
      expect(token.verify({ headers, body, secret: 't0k' })).toStrictEqual({
        ok: true,
        scheme: 'token',
        secretIndex: 0,
      })
    }
  })

  it('joins a repeated header with ", ", whatever shape it comes in', () => {
    for (const headers of [
      [
        ['X-Webhook-Token', 'a'],
        ['x-webhook-token', 'b'],
      ] as Array<[string, string]>,
      { 'x-webhook-token': ['a', 'b'] },
      { 'X-Webhook-Token': ['a', 'b'] },
    ]) {
      expect(reasonOf(token.verify({ headers, body, secret: 'a, b' }))).toBe('ok')
      expect(reasonOf(token.verify({ headers, body, secret: 'a' }))).toBe('bad_signature')
    }
    // A number (as a hand-made object may hold) is read as its text.
    expect(reasonOf(token.verify({ headers: { 'x-webhook-token': 42 }, body, secret: '42' }))).toBe(
      'ok',
    )
  })

  it("reads only the object's own headers, not ones inherited from its prototype", () => {
    const inherited = Object.create({ 'x-webhook-token': 'tok' }) as Record<string, string>
    expect(reasonOf(token.verify({ headers: inherited, body, secret: 'tok' }))).toBe(
      'missing_header',
    )
  })

  it('skips pairs that are not [name, value]', () => {
    const headers = [['x-webhook-token'], 'x-webhook-token', [7, 'tok'], ['x-webhook-token', 'tok']]
    expect(reasonOf(token.verify({ headers: headers as never, body, secret: 'tok' }))).toBe('ok')
  })
})

describe('github', () => {
  const body = JSON.stringify(payload)
  const sig = () => github.sign({ payload: body, secret }).headers['x-hub-signature-256']!

  it('says which header is missing, and hints at sha1 only when the legacy header is there', () => {
    const message = (headers: Record<string, string>, algorithm?: 'sha1' | 'sha256') => {
      const result = github.verify({ headers, body, secret, algorithm })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(message({})).toBe('missing_header: The X-Hub-Signature-256 header is missing.')
    expect(message({}, 'sha1')).toBe('missing_header: The X-Hub-Signature header is missing.')
    expect(message({ 'x-hub-signature-256': sig() }, 'sha1')).toBe(
      'missing_header: The X-Hub-Signature header is missing.',
    )
    expect(message({ 'x-hub-signature': 'sha1=00' })).toBe(
      "missing_header: The X-Hub-Signature-256 header is missing. Only the legacy X-Hub-Signature is present: pass `algorithm: 'sha1'` to check it.",
    )
  })

  it('calls a header with no algorithm before "=" malformed, and another algorithm unsupported', () => {
    const check = (value: string, algorithm: 'sha1' | 'sha256' = 'sha256') => {
      const name = algorithm === 'sha1' ? 'x-hub-signature' : 'x-hub-signature-256'
      const result = github.verify({ headers: { [name]: value }, body, secret, algorithm })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    const hex = sig().slice('sha256='.length)
    expect(check(`=${hex}`)).toBe(
      'malformed_header: The X-Hub-Signature-256 header is not "sha256=<hex digest>".',
    )
    expect(check(hex)).toBe(
      'malformed_header: The X-Hub-Signature-256 header is not "sha256=<hex digest>".',
    )
    expect(check(`sha1=${hex}`)).toBe(
      'unsupported_version: The X-Hub-Signature-256 header is not a sha256 signature.',
    )
    expect(check(`sha256=${hex}`, 'sha1')).toBe(
      'unsupported_version: The X-Hub-Signature header is not a sha1 signature.',
    )
    expect(check(`sha256=${hex}`)).toBe('ok')
    expect(check(`sha256=${hex}0`)).toBe(
      'bad_signature: The signature does not match the body and secret.',
    )
  })

  it('reports the delivery id only when the request carries one', () => {
    const signed = github.sign({ payload: body, secret, id: 'd-9' })
    expect(github.verify({ ...signed, secret })).toStrictEqual({
      ok: true,
      scheme: 'github',
      secretIndex: 0,
      id: 'd-9',
    })
    const headers = { 'x-hub-signature-256': signed.headers['x-hub-signature-256']! }
    expect(github.verify({ headers, body, secret })).toStrictEqual({
      ok: true,
      scheme: 'github',
      secretIndex: 0,
    })
  })

  it('writes X-GitHub-Event only when given, a fresh delivery id when none is given', () => {
    const a = github.sign({ payload, secret })
    const b = github.sign({ payload, secret })
    expect(Object.keys(a.headers).sort()).toEqual(['x-github-delivery', 'x-hub-signature-256'])
    expect(a.headers['x-github-delivery']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    expect(a.headers['x-github-delivery']).not.toBe(b.headers['x-github-delivery'])
    expect(github.sign({ payload, secret, legacy: false }).headers['x-hub-signature']).toBe(
      undefined,
    )
    expect(github.sign({ payload, secret, event: 'push' }).headers['x-github-event']).toBe('push')
  })

  it('generates a 32-byte hex secret, fresh each time, used both to sign and to verify', () => {
    const one = github.generateSecret()
    const two = github.generateSecret()
    expect(one.signSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(one.verifySecret).toBe(one.signSecret)
    expect(two.signSecret).not.toBe(one.signSecret)
    expect(github.tolerance).toBeUndefined()
  })
})

describe('stripe', () => {
  it('tells a header with only other versions (unsupported) from one with no signature (malformed)', () => {
    const { headers, body } = stripe.sign({ payload, secret, timestamp: now })
    const v1 = headers['stripe-signature']!.split(',v1=')[1]!
    const check = (value: string) => {
      const result = stripe.verify({ headers: { 'stripe-signature': value }, body, secret, now })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    const unsupported = 'unsupported_version: The Stripe-Signature header has no v1 signature.'
    const malformed = 'malformed_header: The Stripe-Signature header has no v1=<signature>.'
    expect(check(`t=${now},v0=${v1}`)).toBe(unsupported)
    expect(check(`t=${now},v12=${v1}`)).toBe(unsupported)
    expect(check(`t=${now}`)).toBe(malformed)
    expect(check(`t=${now},foo=bar`)).toBe(malformed)
    // Only v<digits> is a version: not a key that merely contains one.
    expect(check(`t=${now},xv0=${v1}`)).toBe(malformed)
    expect(check(`t=${now},v0x=${v1}`)).toBe(malformed)
    expect(check(`v1=${v1}`)).toBe(
      'malformed_header: The Stripe-Signature header has no valid t=<timestamp>.',
    )
    expect(check(`t=${now},v1=${v1}`)).toBe('ok')
  })
})

describe('token', () => {
  it('calls an empty header missing and a token without the prefix malformed, by name', () => {
    const bearer = token.with({ header: 'Authorization', prefix: 'Bearer ' })
    const message = (scheme: typeof token, headers: Record<string, string>, s = 'abc') => {
      const result = scheme.verify({ headers, body: '', secret: s })
      return result.ok
        ? `ok ${result.scheme} ${result.secretIndex}`
        : `${result.reason}: ${result.message}`
    }
    expect(message(token, { 'x-webhook-token': '' })).toBe(
      'missing_header: The X-Webhook-Token header is missing.',
    )
    expect(message(bearer, { authorization: 'bearer abc' })).toBe(
      'malformed_header: The Authorization header does not start with "Bearer ".',
    )
    expect(message(bearer, { authorization: 'Bearer abd' })).toBe(
      'bad_signature: The Authorization token does not match.',
    )
    // The default name is `token`; the prefix must be there, then the token exactly.
    expect(message(bearer, { authorization: 'Bearer abc' })).toBe('ok token 0')
    expect(message(bearer, { authorization: 'Bearer abc' }, 'Bearer abc')).toMatch(/^bad_signature/)
    expect(bearer.prefix).toBe('Bearer ')
    expect(bearer.header).toBe('authorization')
    expect(token.prefix).toBe('')
  })

  it('compares tokens as UTF-8 text, whatever character they end in', () => {
    for (const t of ['tok\u0101', 'tokén', 'tok✓', 'tok ', 'tok=', 'tok\u00ac']) {
      const { headers } = token.sign({ payload, secret: t })
      expect(token.verify({ headers, body: '', secret: t }).ok).toBe(true)
      // Last character changed to one whose low byte is the same in latin1.
      const alias = t.slice(0, -1) + String.fromCharCode(t.charCodeAt(t.length - 1) ^ 0x100)
      expect(reasonOf(token.verify({ headers, body: '', secret: alias }))).toBe('bad_signature')
    }
  })

  it('a .with() scheme without a prefix sends and expects the token alone', () => {
    const custom = token.with({ name: 'custom', header: 'X-Custom-Token' })
    expect(custom.prefix).toBe('')
    const { headers } = custom.sign({ payload, secret: 'tok' })
    expect(headers).toEqual({ 'x-custom-token': 'tok' })
    expect(custom.verify({ headers, body: '', secret: 'tok' })).toStrictEqual({
      ok: true,
      scheme: 'custom',
      secretIndex: 0,
    })
  })

  it('refuses a .with() name that is empty', () => {
    expect(thrown(() => token.with({ name: '', header: 'X-A' })).message).toMatch(
      /`token.with name`: expected a non-empty string/,
    )
  })
})

describe('standardWebhooks', () => {
  const sw = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

  it('refuses a whsec_ secret with no key after the prefix', () => {
    const error = thrown(() => standardWebhooks.sign({ payload, secret: 'whsec_' }))
    expect(error.message).toMatch(/^Invalid option `secret`: expected a `whsec_` secret/)
    expect(error.message).toMatch(/got \(hidden\)\.$/)
  })

  it('writes a msg_ id and the timestamp as Unix seconds when none are given', () => {
    const { headers } = standardWebhooks.sign({ payload, secret: sw, timestamp: now })
    expect(headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{24}$/)
    expect(headers['webhook-timestamp']).toBe(String(now))
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
  })

  it('calls an empty header missing, naming it, and checks the signature before the time', () => {
    const signed = standardWebhooks.sign({ payload, secret: sw, timestamp: now })
    const check = (headers: Record<string, string>, at = now) => {
      const result = standardWebhooks.verify({ headers, body: signed.body, secret: sw, now: at })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(check({ ...signed.headers, 'webhook-signature': '' })).toBe(
      'missing_header: The webhook-signature header is missing.',
    )
    expect(check({ ...signed.headers, 'webhook-id': '' })).toBe(
      'missing_header: The webhook-id header is missing.',
    )
    expect(check({ ...signed.headers, 'webhook-timestamp': '' })).toBe(
      'missing_header: The webhook-timestamp header is missing.',
    )
    expect(check({ ...signed.headers, 'webhook-timestamp': 'soon' })).toBe(
      'malformed_header: The webhook-timestamp header is not a number of Unix seconds.',
    )
    expect(check({ ...signed.headers, 'webhook-signature': 'v1a' })).toBe(
      'malformed_header: The webhook-signature header is not "v1,<base64>".',
    )
    expect(check({ ...signed.headers, 'webhook-signature': 'v2,abc v3,def' })).toBe(
      'unsupported_version: The webhook-signature header has no v1 or v1a signature.',
    )
    // A forged signature is bad_signature even when it is also stale: the time is not trusted first.
    const forged = { ...signed.headers, 'webhook-signature': `v1,${'A'.repeat(43)}=` }
    expect(check(forged, now + 3600)).toBe(
      'bad_signature: No signature matches the body and secret.',
    )
    expect(check(signed.headers, now + 3600)).toMatch(/^timestamp_too_old/)
  })

  it('reads webhook-timestamp as 1 to 12 digits only', () => {
    const signed = (text: string) => {
      const { headers, body } = standardWebhooks.sign({ payload, secret: sw, timestamp: now })
      const result = standardWebhooks.verify({
        headers: { ...headers, 'webhook-timestamp': text },
        body,
        secret: sw,
        now,
      })
      return reasonOf(result)
    }
    for (const bad of [`${now}x`, `x${now}`, ` ${now}`, '+1700000000', '1'.repeat(13), '1.5']) {
      expect({ bad, reason: signed(bad) }).toEqual({ bad, reason: 'malformed_header' })
    }
    // 12 digits parse (and then fail the signature, which was made over another timestamp).
    expect(signed('1'.repeat(12))).toBe('bad_signature')
  })

  describe('v1a (Ed25519)', () => {
    const sign = () => {
      const keys = standardWebhooks.generateKeyPair()
      const signed = standardWebhooks.sign({ payload, secret: keys.signSecret, timestamp: now })
      const verify = (signature: string) =>
        reasonOf(
          standardWebhooks.verify({
            headers: { ...signed.headers, 'webhook-signature': signature },
            body: signed.body,
            secret: keys.verifySecret,
            now,
          }),
        )
      return { signature: signed.headers['webhook-signature']!, verify }
    }

    it('refuses a signature whose base64 differs only in the unused low bits', () => {
      const { signature, verify } = sign()
      expect(verify(signature)).toBe('ok')
      // 64 bytes are 86 characters and "==": the last character carries 2 bits of data and 4
      // unused bits, which are zero in the canonical form (A, Q, g or w).
      const text = signature.slice('v1a,'.length)
      const last = text[85]!
      expect('AQgw').toContain(last)
      const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
      const loose = text.slice(0, 85) + B64[B64.indexOf(last) + 1] + '=='
      // Node decodes both to the same 64 bytes: only the canonical check refuses the loose form.
      expect(Buffer.from(loose, 'base64').equals(Buffer.from(text, 'base64'))).toBe(true)
      expect(verify(`v1a,${loose}`)).toBe('bad_signature')
    })

    it('calls a v1a signature that is not base64, or not 64 bytes, bad_signature', () => {
      const { signature, verify } = sign()
      expect(verify('v1a,***')).toBe('bad_signature')
      expect(verify(`v1a,${Buffer.alloc(32).toString('base64')}`)).toBe('bad_signature')
      expect(verify(`v1a,${Buffer.alloc(65).toString('base64')}`)).toBe('bad_signature')
      expect(verify(`v1a,*** ${signature}`)).toBe('ok')
    })

    it('never takes a private key written under the public prefix, and names the option', () => {
      const keys = standardWebhooks.generateKeyPair()
      // The whsk_ text (seed and public half, 64 bytes) relabelled whpk_: a key-type confusion.
      const relabelled = `whpk_${keys.signSecret.slice('whsk_'.length)}`
      const error = thrown(() => standardWebhooks.sign({ payload, secret: relabelled }))
      expect(error.message).toMatch(/^Invalid option `secret`: expected a `whsec_` secret/)
      expect(error.message).toMatch(/, got \(hidden\)\.$/)
      expect(
        thrown(() => standardWebhooks.sign({ payload, secret: keys.verifySecret })).message,
      ).toBe(
        'Invalid option `secret`: expected a `whsec_` secret or a `whsk_` private key to sign with, got (hidden).',
      )
    })

    it('reads a v1 signature up to the next comma, as the official libraries split it', () => {
      const signed = standardWebhooks.sign({ payload, secret: sw, timestamp: now })
      const value = signed.headers['webhook-signature']!
      const verify = (signature: string) =>
        reasonOf(
          standardWebhooks.verify({
            headers: { ...signed.headers, 'webhook-signature': signature },
            body: signed.body,
            secret: sw,
            now,
          }),
        )
      expect(verify(`${value},trailing`)).toBe('ok')
      expect(verify(value)).toBe('ok')
    })

    it('refuses whsk_ and whpk_ keys of the wrong size', () => {
      for (const size of [16, 48]) {
        const raw = Buffer.alloc(size, 9).toString('base64')
        expect(
          thrown(() => standardWebhooks.sign({ payload, secret: `whsk_${raw}` })).message,
        ).toMatch(/`secret`.*whsk_/)
      }
      const { signature, verify } = sign()
      expect(verify(signature)).toBe('ok')
      const wrongSize = `whpk_${Buffer.alloc(64, 9).toString('base64')}`
      const error = thrown(() =>
        standardWebhooks.verify({
          headers: {
            'webhook-id': 'm',
            'webhook-timestamp': String(now),
            'webhook-signature': signature,
          },
          body: '{}',
          secret: wrongSize,
          now,
        }),
      )
      expect(error.message).toMatch(/`secret`.*whpk_/)
    })
  })
})
