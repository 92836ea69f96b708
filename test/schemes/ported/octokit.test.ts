import { verify as octokitVerify, verifyWithFallback } from '@octokit/webhooks-methods'
import { describe, expect, it } from 'vitest'
import { github, HookwrightError } from '../../../src/index.js'

/**
 * Ported from octokit/webhooks-methods.js: `test/verify.test.ts` and `test/sign.test.ts`.
 * Each case is the source test's inputs and expected outcome, checked against hookwright's
 * `github` scheme and, where the installed @octokit/webhooks-methods 6 takes the inputs (it
 * takes string payloads only), against the library as well.
 */
const SOURCE = 'octokit/webhooks-methods.js'

/** The source's `toNormalizedJsonString`: GitHub's 2-space JSON, a final newline, `\u001B`. */
function toNormalizedJsonString(payload: object): string {
  const text = `${JSON.stringify(payload, null, 2)}\n`
  return text.replace(/[^\\]\\u[\da-f]{4}/g, (s) => s.slice(0, 3) + s.slice(3).toUpperCase())
}

const eventPayload = toNormalizedJsonString({ foo: 'bar' })
const secret = 'mysecret'
const signature = 'sha256=e3eccac34c43c7dc1cbb905488b1b81347fcc700a7b025697a9d07862256023f'

interface VerifyCase {
  test: string
  secrets: string[]
  body: string | Uint8Array
  signature: string
  /** 'ok' with the index of the matching secret, or the reason hookwright gives. */
  expect: { ok: true; secretIndex: number } | { ok: false; reason: string }
}

const verifyCases: VerifyCase[] = [
  {
    test: 'verify(secret, eventPayload, signature) returns true for correct signature',
    secrets: [secret],
    body: eventPayload,
    signature,
    expect: { ok: true, secretIndex: 0 },
  },
  {
    test: 'verify(secret, eventPayload, signature) returns true for payload provided as Buffer',
    secrets: [secret],
    body: Buffer.from(eventPayload),
    signature,
    expect: { ok: true, secretIndex: 0 },
  },
  {
    test: 'verify(secret, eventPayload, signature) returns false for incorrect signature (xxx…)',
    secrets: [secret],
    body: eventPayload,
    signature: 'sha256=xxxccac34c43c7dc1cbb905488b1b81347fcc700a7b025697a9d07862256023f',
    expect: { ok: false, reason: 'bad_signature' },
  },
  {
    test: 'verify(secret, eventPayload, signature) returns false for incorrect signature ("foo")',
    secrets: [secret],
    body: eventPayload,
    signature: 'foo',
    expect: { ok: false, reason: 'malformed_header' },
  },
  {
    test: 'verify(secret, eventPayload, signature) returns false for incorrect secret',
    secrets: ['foo'],
    body: eventPayload,
    signature,
    expect: { ok: false, reason: 'bad_signature' },
  },
  ...[
    ['lower-case', 'Foo\n\u001b[34mbar: ♥♥♥♥♥♥♥♥\nthis-is-lost\u001b[0m\u001b[2K'],
    ['upper-case', 'Foo\n\u001B[34mbar: ♥♥♥♥♥♥♥♥\nthis-is-lost\u001B[0m\u001B[2K'],
  ].map(([kind, foo]): VerifyCase => ({
    test: `returns true if eventPayload contains special characters (#71), ${kind} sequence`,
    secrets: ['development'],
    body: toNormalizedJsonString({ foo }),
    signature: 'sha256=9dacf9003316b09be07df56d86a2d0d6872e42a1e6c72c3bad9ff915a7c5603e',
    expect: { ok: true, secretIndex: 0 },
  })),
  {
    test: 'returns true if eventPayload contains special characters (#71), escaped sequence',
    secrets: ['development'],
    body: toNormalizedJsonString({ foo: '\\u001b' }),
    signature: 'sha256=87316067e2011fae39998b18c46a14d83b3e7c3ffdd88fb2ee5afb7d11288e60',
    expect: { ok: true, secretIndex: 0 },
  },
  {
    test: 'verifyWithFallback(secret, eventPayload, signature, [bogus]) returns true',
    secrets: [secret, 'foo'],
    body: eventPayload,
    signature,
    expect: { ok: true, secretIndex: 0 },
  },
  {
    test: 'verifyWithFallback(bogus, eventPayload, signature, [secret]) returns true',
    secrets: ['foo', secret],
    body: eventPayload,
    signature,
    expect: { ok: true, secretIndex: 1 },
  },
  {
    test: 'verify(bogus, eventPayload, signature, [bogus]) returns false',
    secrets: ['foo', 'foo'],
    body: eventPayload,
    signature,
    expect: { ok: false, reason: 'bad_signature' },
  },
  {
    test: 'verifySync(secret, eventPayload, signature) returns true for correct signature',
    secrets: [secret],
    body: eventPayload,
    signature,
    expect: { ok: true, secretIndex: 0 },
  },
]

/** Source tests that hookwright's API cannot express, and why. */
const notExpressible = [
  {
    test: 'verify(secret, …) returns true for secret provided as Buffer (and payload and secret as Buffer)',
    why: 'hookwright takes secrets as strings only; a Buffer secret is the UTF-8 of the same string, covered by the string cases.',
  },
  {
    test: 'is a function / VERSION is set (sign, verify, verifySync, signSync, verifyWithFallback)',
    why: 'These check the library surface (exports and version string), not a signature outcome.',
  },
  {
    test: 'verify(secret, eventPayload) without options.signature throws',
    why: 'A request without a signature is an expected failure in hookwright, a result (missing_header) rather than an exception; checked below as a result.',
  },
]

describe(`ported: ${SOURCE} test/verify.test.ts`, () => {
  it.each(verifyCases)('$test', async (c) => {
    const result = github.verify({
      headers: { 'x-hub-signature-256': c.signature },
      body: c.body,
      secrets: c.secrets,
    })
    expect(result).toMatchObject(c.expect)
    // The library agrees wherever it takes the inputs (string payloads).
    if (typeof c.body === 'string') {
      const official = await verifyWithFallback(
        c.secrets[0]!,
        c.body,
        c.signature,
        c.secrets.slice(1),
      )
      expect(official).toBe(c.expect.ok)
    }
  })

  it('misuse throws, as the source tests of verify() without a secret or payload expect', async () => {
    const headers = { 'x-hub-signature-256': signature }
    // No secret: secret and secrets are both optional in the type, so this is a run-time check.
    expect(() => github.verify({ headers, body: eventPayload })).toThrow(HookwrightError)
    // @ts-expect-error the source passes no payload
    expect(() => github.verify({ headers, secret })).toThrow(HookwrightError)
    await expect(octokitVerify(secret, eventPayload, '')).rejects.toThrow(/required/)
    expect(github.verify({ headers: {}, body: eventPayload, secret })).toMatchObject({
      reason: 'missing_header',
    })
  })

  it('lists the source tests it cannot express, each with why', () => {
    for (const entry of notExpressible) expect(entry.why.length).toBeGreaterThan(40)
  })
})

describe(`ported: ${SOURCE} test/sign.test.ts`, () => {
  const expected = 'sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3'

  it.each([
    ['sign(secret, eventPayload) with eventPayload as string', JSON.stringify({ foo: 'bar' })],
    ['signSync(secret, eventPayload)', JSON.stringify({ foo: 'bar' })],
  ])('%s returns the expected sha256 signature', (_test, payload) => {
    expect(github.sign({ payload, secret }).headers['x-hub-signature-256']).toBe(expected)
  })

  it('the object payload is signed as the same compact JSON', () => {
    expect(github.sign({ payload: { foo: 'bar' }, secret }).headers['x-hub-signature-256']).toBe(
      expected,
    )
  })

  it('throws without secret, and without eventPayload', () => {
    // @ts-expect-error the source passes no secret
    expect(() => github.sign({ payload: { foo: 'bar' } })).toThrow(HookwrightError)
    // @ts-expect-error the source passes no payload
    expect(() => github.sign({ secret })).toThrow(HookwrightError)
  })
})
