import { createHmac } from 'node:crypto'
import { isValidSlackRequest } from '@slack/bolt'
import { describe, expect, it } from 'vitest'
import { HookwrightError, slack } from '../../../src/index.js'

/**
 * Ported from slackapi/python-slack-sdk `tests/slack_sdk/signature/test_signature_verifier.py`
 * and slackapi/bolt-js `src/receivers/verify-request.spec.ts`. The Python cases run against
 * hookwright alone (the SDK is Python); the Bolt cases also against the installed @slack/bolt.
 */
const PYTHON = 'slackapi/python-slack-sdk tests/slack_sdk/signature/test_signature_verifier.py'
const BOLT = 'slackapi/bolt-js src/receivers/verify-request.spec.ts'
const BOLT_HTTP = 'slackapi/bolt-js src/receivers/HTTPModuleFunctions.spec.ts'

// https://docs.slack.dev/authentication/verifying-requests-from-slack/
const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5'
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
const timestamp = '1531420618'
const validSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'
const headers = { 'X-Slack-Request-Timestamp': timestamp, 'X-Slack-Signature': validSignature }
// The source's MockClock.
const clock = 1531420618

interface Case {
  test: string
  headers: Record<string, string>
  body: string | Uint8Array
  /** The time to verify at; undefined is the real clock, as the source's expiration test. */
  now: number | undefined
  expect: { ok: true } | { ok: false; reason: string }
}

const verifyCases: Case[] = [
  { test: 'test_is_valid_request', headers, body, now: clock, expect: { ok: true } },
  {
    test: 'test_is_valid_request_body_as_bytes',
    headers,
    body: Buffer.from(body),
    now: clock,
    expect: { ok: true },
  },
  {
    test: 'test_is_valid_request_invalid_body',
    headers,
    body: `${body}------`,
    now: clock,
    expect: { ok: false, reason: 'bad_signature' },
  },
  {
    test: 'test_is_valid_request_invalid_body_as_bytes',
    headers,
    body: Buffer.from(`${body}------`),
    now: clock,
    expect: { ok: false, reason: 'bad_signature' },
  },
  {
    test: 'test_is_valid_request_expiration',
    headers,
    body,
    now: undefined,
    expect: { ok: false, reason: 'timestamp_too_old' },
  },
  {
    test: 'test_is_valid_request_none (headers None)',
    headers: {},
    body,
    now: clock,
    expect: { ok: false, reason: 'missing_header' },
  },
  { test: 'test_is_valid (timestamp as text)', headers, body, now: clock, expect: { ok: true } },
  {
    test: 'test_is_valid_none (timestamp None)',
    headers: { 'X-Slack-Signature': validSignature },
    body,
    now: clock,
    expect: { ok: false, reason: 'missing_header' },
  },
  {
    test: 'test_is_valid_none (signature None)',
    headers: { 'X-Slack-Request-Timestamp': timestamp },
    body,
    now: clock,
    expect: { ok: false, reason: 'missing_header' },
  },
  {
    test: 'test_is_valid_none (timestamp and signature None)',
    headers: {},
    body,
    now: clock,
    expect: { ok: false, reason: 'missing_header' },
  },
]

/** Source tests that hookwright's API cannot express, and why. */
const notExpressible = [
  {
    test: `${PYTHON}: test_is_valid_request_none / test_is_valid_none with body None`,
    why: 'A body is required by verify: leaving it out is misuse and throws HOOKWRIGHT_INVALID_OPTION (checked below), where the SDK returns False.',
  },
  {
    test: `${PYTHON}: test_is_valid with the timestamp as an int`,
    why: 'hookwright reads the timestamp from the header text; a header value given as the number 1531420618 is the same text (checked in the Bolt cases, which pass a number).',
  },
  {
    test: `${BOLT_HTTP}: parseAndVerifyHTTPRequest should parse a ssl_check request body without signature verification`,
    why: 'Slack sends ssl_check unsigned and Bolt answers it before verifying; hookwright verify reports the missing signature (missing_header, checked below) and leaves the ssl_check shortcut to the handler.',
  },
  {
    test: `${PYTHON}: test_invalid_signing_secret_reassignment`,
    why: 'hookwright has no verifier object holding a secret to reassign; the secret is checked on every call (test_invalid_signing_secret).',
  },
]

describe(`ported: ${PYTHON}`, () => {
  it.each([
    ['test_generate_signature', body],
    ['test_generate_signature_body_as_bytes', Buffer.from(body)],
  ])('%s', (_test, payload) => {
    const signed = slack.sign({ payload, secret: signingSecret, timestamp: Number(timestamp) })
    expect(signed.headers['x-slack-signature']).toBe(validSignature)
  })

  it.each(verifyCases)('$test', (c) => {
    const result = slack.verify({
      headers: c.headers,
      body: c.body,
      secret: signingSecret,
      ...(c.now === undefined ? {} : { now: c.now }),
    })
    expect(result).toMatchObject(c.expect)
  })

  it('test_invalid_signing_secret: "", "   ", None, 123 and bytes are refused', () => {
    const code = (secret: unknown) => {
      try {
        slack.verify({ headers, body, secret: secret as string, now: clock })
      } catch (error) {
        expect(error).toBeInstanceOf(HookwrightError)
        return (error as HookwrightError).code
      }
      return 'accepted'
    }
    expect(code('')).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(code('   ')).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(code(undefined)).toBe('HOOKWRIGHT_MISSING_SECRET')
    expect(code(123)).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(code(Buffer.from('secret'))).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(() => slack.sign({ payload: body, secret: '   ' })).toThrow(HookwrightError)
  })

  it('a missing body is misuse, not a failed check', () => {
    // @ts-expect-error the source passes None
    expect(() => slack.verify({ headers, body: null, secret: signingSecret })).toThrow(
      HookwrightError,
    )
  })

  it('lists the source tests it cannot express, each with why', () => {
    for (const entry of notExpressible) expect(entry.why.length).toBeGreaterThan(40)
  })
})

describe(`ported: ${BOLT} and ${BOLT_HTTP} (parseAndVerifyHTTPRequest)`, () => {
  const secret = 'secret'
  const rawBody = '{"foo":"bar"}'
  const nowSeconds = 1_700_000_000
  const sign = (ts: number) =>
    createHmac('sha256', secret).update(`v0:${ts}:${rawBody}`).digest('hex')

  const formBody = 'payload={}'
  const boltCases = [
    {
      test: 'should judge a valid request',
      ts: nowSeconds,
      signature: `v0=${sign(nowSeconds)}`,
      expect: 'ok',
    },
    {
      test: 'should detect an invalid timestamp (10 minutes old)',
      ts: nowSeconds - 600,
      signature: `v0=${sign(nowSeconds - 600)}`,
      expect: 'timestamp_too_old',
    },
    {
      test: 'should detect an invalid signature',
      ts: nowSeconds,
      signature: 'v0=invalid-signature',
      expect: 'bad_signature',
    },
    {
      test: 'should detect invalid signature for application/x-www-form-urlencoded body',
      ts: nowSeconds,
      signature: 'v0=invalid-signature',
      expect: 'bad_signature',
      body: formBody,
    },
    {
      test: 'ssl_check: an unsigned request',
      ts: undefined,
      signature: undefined,
      expect: 'missing_header',
      body: 'ssl_check=1&token=legacy-fixed-verification-token',
    },
  ]

  // verifySlackRequest and isValidSlackRequest have the same three tests; one run covers both.
  it.each(boltCases)('$test', (c) => {
    // The source passes the timestamp header as a number.
    const requestHeaders: Record<string, string | number> = {}
    if (c.signature !== undefined) requestHeaders['x-slack-signature'] = c.signature
    if (c.ts !== undefined) requestHeaders['x-slack-request-timestamp'] = c.ts
    const body = c.body ?? rawBody
    const result = slack.verify({ headers: requestHeaders, body, secret, now: nowSeconds })
    expect(result.ok ? 'ok' : result.reason).toBe(c.expect)
    const official = isValidSlackRequest({
      signingSecret: secret,
      headers: requestHeaders as {
        'x-slack-signature': string
        'x-slack-request-timestamp': number
      },
      body,
      nowMilliseconds: nowSeconds * 1000,
    })
    expect(official).toBe(c.expect === 'ok')
  })
})
