import { createHmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { describe, expect, it } from 'vitest'
import { WebhookVerificationError, getScheme, slack } from '../../src/index.js'

const secret = 'slack-signing-secret'
const now = 1_700_000_000
const command = 'token=x&team_id=T1&command=%2Fdeploy&text=prod'

// The worked example in Slack's "Verifying requests from Slack"
// (https://api.slack.com/authentication/verifying-requests-from-slack).
const docs = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: 1531420618,
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
}

describe('slack', () => {
  it("matches the worked example in Slack's docs", () => {
    const { headers } = slack.sign({
      payload: docs.body,
      secret: docs.secret,
      timestamp: docs.timestamp,
    })
    expect(headers).toEqual({
      'x-slack-signature': docs.signature,
      'x-slack-request-timestamp': '1531420618',
    })
    const result = slack.verify({
      headers: { 'X-Slack-Signature': docs.signature, 'X-Slack-Request-Timestamp': '1531420618' },
      body: docs.body,
      secret: docs.secret,
      now: docs.timestamp + 60,
    })
    expect(result).toMatchObject({ ok: true, scheme: 'slack', timestamp: docs.timestamp })
  })

  it('signs "v0:<timestamp>:<raw body>" as Slack documents it', () => {
    // Slack ships no Node verifier outside Bolt; this is the documented algorithm, by hand.
    const expected = createHmac('sha256', secret).update(`v0:${now}:${command}`).digest('hex')
    const { headers, body } = slack.sign({ payload: command, secret, timestamp: now })
    expect(body).toBe(command)
    expect(headers['x-slack-signature']).toBe(`v0=${expected}`)
  })

  it('says why a request is refused', () => {
    const { headers, body } = slack.sign({ payload: command, secret, timestamp: now })
    const sig = headers['x-slack-signature']!
    const ts = headers['x-slack-request-timestamp']!
    const reason = (h: Record<string, string>, b: string = body as string, s = secret) => {
      const result = slack.verify({ headers: h, body: b, secret: s, now })
      return result.ok ? 'ok' : result.reason
    }
    expect(reason(headers)).toBe('ok')
    expect(reason(headers, `${command}&x=1`)).toBe('bad_signature')
    expect(reason(headers, command, 'wrong')).toBe('bad_signature')
    // The timestamp is signed: moving it breaks the signature rather than the tolerance check.
    expect(reason({ ...headers, 'x-slack-request-timestamp': String(now + 1) })).toBe(
      'bad_signature',
    )
    expect(reason({ 'x-slack-request-timestamp': ts })).toBe('missing_header')
    expect(reason({ 'x-slack-signature': sig })).toBe('missing_header')
    expect(reason({ ...headers, 'x-slack-request-timestamp': '17e8' })).toBe('malformed_header')
    expect(reason({ ...headers, 'x-slack-signature': sig.slice(3) })).toBe('malformed_header')
    expect(reason({ ...headers, 'x-slack-signature': `v1=${sig.slice(3)}` })).toBe(
      'unsupported_version',
    )
    expect(slack.verify({ headers, body, secrets: [''], now })).toMatchObject({
      reason: 'missing_secret',
    })
  })

  it('names the header at fault in each refusal', () => {
    const { headers, body } = slack.sign({ payload: command, secret, timestamp: now })
    const sig = headers['x-slack-signature']!
    const ts = headers['x-slack-request-timestamp']!
    const refusal = (h: Record<string, string>) => {
      const result = slack.verify({ headers: h, body, secret, now })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(refusal({ 'x-slack-request-timestamp': ts })).toBe(
      'missing_header: The X-Slack-Signature header is missing.',
    )
    expect(refusal({ 'x-slack-signature': sig })).toBe(
      'missing_header: The X-Slack-Request-Timestamp header is missing.',
    )
    expect(refusal({ ...headers, 'x-slack-request-timestamp': 'soon' })).toBe(
      'malformed_header: The X-Slack-Request-Timestamp header is not a number of Unix seconds.',
    )
    expect(refusal({ ...headers, 'x-slack-signature': sig.slice(3) })).toBe(
      'malformed_header: The X-Slack-Signature header is not "v0=<hex digest>".',
    )
    expect(refusal({ ...headers, 'x-slack-signature': `v1=${sig.slice(3)}` })).toBe(
      'unsupported_version: The X-Slack-Signature header is a v1 signature, not v0.',
    )
    expect(refusal({ ...headers, 'x-slack-signature': `${sig.slice(0, -1)}0` })).toMatch(
      /^bad_signature: The v0 signature does not match the body and secret\.$/,
    )
  })

  it('reads the version before the first "=": v<digits> is another version, anything else malformed', () => {
    const { headers, body } = slack.sign({ payload: command, secret, timestamp: now })
    const digest = headers['x-slack-signature']!.slice(3)
    const reason = (signature: string) => {
      const result = slack.verify({
        headers: { ...headers, 'x-slack-signature': signature },
        body,
        secret,
        now,
      })
      return result.ok ? 'ok' : result.reason
    }
    expect(reason(`v0=${digest}`)).toBe('ok')
    expect(reason(`v12=${digest}`)).toBe('unsupported_version')
    for (const signature of [
      `V0=${digest}`,
      `xv1=${digest}`,
      `v1x=${digest}`,
      `v=${digest}`,
      `=${digest}`,
      // No "=" at all: no version, even where the text starts like one.
      'v01',
      'v10',
      `v0${digest}`,
    ]) {
      expect(reason(signature), signature).toBe('malformed_header')
    }
  })

  it('refuses timestamps more than 300 s away in either direction', () => {
    const at = (offset: number, tolerance?: number) => {
      const { headers, body } = slack.sign({ payload: command, secret, timestamp: now + offset })
      const result = slack.verify({ headers, body, secret, now, tolerance })
      return result.ok ? 'ok' : result.reason
    }
    expect(at(-300)).toBe('ok')
    expect(at(-301)).toBe('timestamp_too_old')
    expect(at(300)).toBe('ok')
    // Slack's docs and slack_sdk compare abs(now - ts); Bolt would accept this one.
    expect(at(301)).toBe('timestamp_in_future')
    expect(at(-301, 301)).toBe('ok')
    expect(slack.tolerance).toBe(300)
  })

  it('accepts any of several secrets during a rotation', () => {
    const { headers, body } = slack.sign({ payload: command, secret: 'new', timestamp: now })
    expect(slack.verify({ headers, body, secrets: ['old', 'new'], now })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
  })

  it('reads headers in any shape and the body as string, Buffer or Uint8Array', () => {
    const { headers, body } = slack.sign({ payload: command, secret, timestamp: now })
    const incoming: IncomingHttpHeaders = {
      ...headers,
      'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
    }
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]))
    for (const h of [upper, new Headers(headers), incoming]) {
      for (const b of [body, Buffer.from(body), new Uint8Array(Buffer.from(body))]) {
        expect(slack.verify({ headers: h, body: b, secret, now }).ok).toBe(true)
      }
    }
  })

  it('verifyOrThrow throws a WebhookVerificationError carrying the reason', () => {
    const { headers, body } = slack.sign({ payload: command, secret, timestamp: now - 3600 })
    expect(() => slack.verifyOrThrow({ headers, body, secret, now })).toThrow(
      WebhookVerificationError,
    )
    try {
      slack.verifyOrThrow({ headers, body, secret, now })
      expect.unreachable('verifyOrThrow returned for a stale request')
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookVerificationError)
      expect((error as WebhookVerificationError).reason).toBe('timestamp_too_old')
      expect((error as Error).message).not.toContain(secret)
    }
    expect(getScheme('slack')).toBe(slack)
  })
})
