import { createHmac } from 'node:crypto'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { HookwrightError, getScheme, hmac } from '../../src/index.js'

const secret = "It's a Secret to Everybody"
const payload = { action: 'opened', number: 1 }

describe('hmac', () => {
  it('by default signs the raw body with HMAC-SHA256 as hex in X-Webhook-Signature', () => {
    const { headers, body } = hmac.sign({ payload, secret })
    const expected = createHmac('sha256', secret).update(body).digest('hex')
    expect(headers).toEqual({ 'x-webhook-signature': expected })
    expect(hmac.verify({ headers, body, secret })).toEqual({
      ok: true,
      scheme: 'hmac',
      secretIndex: 0,
    })
    expect(hmac.tolerance).toBeUndefined()
    expect(getScheme('hmac')).toBe(hmac)
  })

  it('configured as GitHub, agrees with @octokit/webhooks-methods both ways', async () => {
    const github = hmac.with({ name: 'gh', header: 'X-Hub-Signature-256', prefix: 'sha256=' })
    const { headers, body } = github.sign({ payload, secret })
    expect(await octokitVerify(secret, body as string, headers['x-hub-signature-256']!)).toBe(true)

    // GitHub's published example from "Validating webhook deliveries".
    const official = await octokitSign(secret, 'Hello, World!')
    expect(official).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17')
    expect(
      github.verify({
        headers: { 'X-Hub-Signature-256': official },
        body: 'Hello, World!',
        secret,
      }),
    ).toMatchObject({ ok: true, scheme: 'gh' })
  })

  it('configured with a {timestamp}.{body} template, signs what Stripe’s library signs', () => {
    const stripeLike = hmac.with({
      header: 'X-Sig',
      template: '{timestamp}.{body}',
      timestampHeader: 'X-Sig-Timestamp',
    })
    const body = JSON.stringify(payload)
    const timestamp = 1_700_000_000
    const official = new Stripe('sk_test_dummy').webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp,
    })
    const { headers } = stripeLike.sign({ payload: body, secret, timestamp })
    expect(official).toBe(`t=${timestamp},v1=${headers['x-sig']}`)
    expect(headers['x-sig-timestamp']).toBe(String(timestamp))
    expect(stripeLike.verify({ headers, body, secret, now: timestamp })).toEqual({
      ok: true,
      scheme: 'hmac',
      secretIndex: 0,
      timestamp,
    })
    expect(stripeLike.tolerance).toBe(300)
  })

  it('checks timestamps both ways against the tolerance', () => {
    const scheme = hmac.with({
      header: 'X-Sig',
      encoding: 'base64',
      algorithm: 'sha512',
      template: 'v1:{timestamp}:{body}',
      timestampHeader: 'X-Ts',
      tolerance: 60,
    })
    const now = 1_700_000_000
    const old = scheme.sign({ payload, secret, timestamp: now - 61 })
    expect(scheme.verify({ ...old, secret, now })).toMatchObject({ reason: 'timestamp_too_old' })
    expect(scheme.verify({ ...old, secret, now, tolerance: 61 }).ok).toBe(true)
    const future = scheme.sign({ payload, secret, timestamp: now + 61 })
    expect(scheme.verify({ ...future, secret, now })).toMatchObject({
      reason: 'timestamp_in_future',
    })
    const { headers, body } = scheme.sign({ payload, secret, timestamp: now })
    expect(headers['x-sig']).toBe(
      createHmac('sha512', secret)
        .update(`v1:${now}:${body as string}`)
        .digest('base64'),
    )
    // The timestamp is signed: moving it is a bad signature, not a fresh delivery.
    expect(
      scheme.verify({ headers: { ...headers, 'x-ts': String(now + 1) }, body, secret, now }),
    ).toMatchObject({ reason: 'bad_signature' })
    expect(
      scheme.verify({ headers: { ...headers, 'x-ts': '17e8' }, body, secret, now }),
    ).toMatchObject({ reason: 'malformed_header' })
    expect(
      scheme.verify({ headers: { 'x-sig': headers['x-sig'] }, body, secret, now }),
    ).toMatchObject({
      reason: 'missing_header',
    })
  })

  it('signs ids, URLs and millisecond timestamps when the template asks for them', () => {
    const scheme = hmac.with({
      header: 'X-Sig',
      encoding: 'base64url',
      template: 'POST{url}{body}{id}{timestamp}',
      timestampHeader: 'X-Ts',
      timestampUnit: 'ms',
      idHeader: 'X-Id',
    })
    const url = 'https://example.com/hooks?a=1'
    const signed = scheme.sign({
      payload: 'hi',
      secret,
      url,
      id: 'msg_1',
      timestamp: 1_700_000_000,
    })
    expect(signed.headers).toEqual({
      'x-sig': createHmac('sha256', secret)
        .update(`POST${url}himsg_11700000000000`)
        .digest('base64url'),
      'x-ts': '1700000000000',
      'x-id': 'msg_1',
    })
    const now = 1_700_000_010
    expect(scheme.verify({ ...signed, secret, url, now })).toEqual({
      ok: true,
      scheme: 'hmac',
      secretIndex: 0,
      timestamp: 1_700_000_000,
      id: 'msg_1',
    })
    expect(scheme.verify({ ...signed, secret, url: `${url}&b=2`, now })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(
      scheme.verify({
        headers: { ...signed.headers, 'x-id': 'msg_2' },
        body: 'hi',
        secret,
        url,
        now,
      }),
    ).toMatchObject({ reason: 'bad_signature' })
    const { 'x-id': _id, ...withoutId } = signed.headers
    expect(scheme.verify({ headers: withoutId, body: 'hi', secret, url, now })).toMatchObject({
      reason: 'missing_header',
    })
    expect(() => scheme.sign({ payload: 'hi', secret })).toThrow(/`hmac.sign\(\{ url \}\)`/)
    expect(() => scheme.verify({ ...signed, secret, now })).toThrow(/url/)
    expect(scheme.sign({ payload: 'x', secret, url }).headers['x-id']).toMatch(/^msg_/)
  })

  it('refuses each tampering with its reason, and accepts any secret during a rotation', () => {
    const github = hmac.with({ header: 'X-Hub-Signature-256', prefix: 'sha256=' })
    const { headers, body } = github.sign({ payload, secret: 'new' })
    const value = headers['x-hub-signature-256']!
    expect(github.verify({ headers, body, secrets: ['old', 'new'] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    expect(github.verify({ headers, body: `${body as string} `, secret: 'new' })).toMatchObject({
      reason: 'bad_signature',
    })
    const upper = `sha256=${value.slice(7).replace(/[a-f]/, (c) => c.toUpperCase())}`
    expect(
      github.verify({ headers: { 'x-hub-signature-256': upper }, body, secret: 'new' }),
    ).toMatchObject({ reason: 'bad_signature' })
    expect(
      github.verify({ headers: { 'x-hub-signature-256': value.slice(7) }, body, secret: 'new' }),
    ).toMatchObject({ reason: 'malformed_header' })
    expect(github.verify({ headers: {}, body, secret: 'new' })).toMatchObject({
      reason: 'missing_header',
    })
    expect(github.verify({ headers, body, secrets: [''] })).toMatchObject({
      reason: 'missing_secret',
    })
  })

  it('rejects a bad config at .with() time, naming the option and the accepted values', () => {
    const base = { header: 'X-Sig' }
    const cases: Array<[object, RegExp | string]> = [
      [
        { ...base, algorithm: 'md5' },
        /`hmac.with algorithm`: expected "sha1", "sha256" or "sha512", got "md5"/,
      ],
      [
        { ...base, encoding: 'hexadecimal' },
        /`hmac.with encoding`: expected "hex", "base64" or "base64url"/,
      ],
      [{ header: 'X Sig' }, /`hmac.with header`: expected a header name/],
      [{}, /`hmac.with header`/],
      [
        { ...base, template: '{ts}.{body}' },
        /placeholders \{body\}, \{timestamp\}, \{id\} or \{url\}/,
      ],
      [{ ...base, template: '{timestamp}', timestampHeader: 'X-Ts' }, /signs \{body\}/],
      [{ ...base, template: '{timestamp}.{body}' }, /`hmac.with timestampHeader`/],
      [{ ...base, timestampHeader: 'X-Ts' }, /`hmac.with timestampHeader`/],
      [{ ...base, template: '{id}.{body}' }, /`hmac.with idHeader`/],
      [{ ...base, tolerance: 5 }, /only with a timestampHeader/],
      [{ ...base, allowFuture: true }, /`hmac.with allowFuture`/],
      // A unit for a timestamp that is never sent would be silently ignored.
      [
        { ...base, timestampUnit: 'ms' },
        'Invalid option `hmac.with timestampUnit`: expected timestampUnit only with a timestampHeader, got "ms".',
      ],
      [{ ...base, timestampUnit: 's' }, /`hmac.with timestampUnit`/],
      [{ ...base, allowFuture: 'yes' }, /true or false/],
      [{ ...base, tolerance: -1 }, /seconds >= 0/],
      [
        { ...base, signatureHeader: 'x' },
        /only the options .*algorithm.*got "unknown option\(s\) signatureHeader"/,
      ],
    ]
    for (const [config, message] of cases) {
      expect(() => hmac.with(config as never)).toThrow(message)
    }
    expect(() => hmac.with(undefined as never)).toThrow(HookwrightError)
    expect(hmac.with(base).config).toEqual({
      name: 'hmac',
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: '',
      template: '{body}',
      timestampUnit: 's',
    })
  })

  it('names its headers, signature first, the timestamp and id headers only when configured', () => {
    expect(hmac.headers).toEqual(['x-webhook-signature'])
    expect(
      hmac.with({ header: 'X-Sig', template: '{timestamp}.{body}', timestampHeader: 'X-Ts' })
        .headers,
    ).toEqual(['x-sig', 'x-ts'])
    expect(
      hmac.with({ header: 'X-Sig', template: '{id}.{body}', idHeader: 'X-Id' }).headers,
    ).toEqual(['x-sig', 'x-id'])
    expect(
      hmac.with({
        header: 'X-Sig',
        template: '{id}.{timestamp}.{body}',
        timestampHeader: 'X-Ts',
        idHeader: 'X-Id',
      }).headers,
    ).toEqual(['x-sig', 'x-ts', 'x-id'])
  })

  it('signs literal text after the last placeholder too', () => {
    const scheme = hmac.with({ header: 'X-Sig', template: '{id}.{body}.v1', idHeader: 'X-Id' })
    const { headers, body } = scheme.sign({ payload: 'hi', secret, id: 'msg_1' })
    expect(headers['x-sig']).toBe(createHmac('sha256', secret).update('msg_1.hi.v1').digest('hex'))
    expect(scheme.verify({ headers, body, secret })).toStrictEqual({
      ok: true,
      scheme: 'hmac',
      secretIndex: 0,
      id: 'msg_1',
    })
  })

  it('reports a timestamp only for a scheme with a timestamp header', () => {
    const { headers, body } = hmac.sign({ payload, secret })
    // Not `timestamp: undefined`: the result has no such key.
    expect(hmac.verify({ headers, body, secret })).toStrictEqual({
      ok: true,
      scheme: 'hmac',
      secretIndex: 0,
    })
    // A unit without a timestamp header is refused by hmac.with (see above).
    expect(() => hmac.with({ header: 'X-Sig', timestampUnit: 'ms' })).toThrow(/timestampUnit/)
  })

  it('with allowFuture, refuses only old timestamps, in seconds and in milliseconds', () => {
    const now = 1_700_000_000
    for (const timestampUnit of ['s', 'ms'] as const) {
      const scheme = hmac.with({
        header: 'X-Sig',
        template: '{timestamp}.{body}',
        timestampHeader: 'X-Ts',
        timestampUnit,
        tolerance: 60,
        allowFuture: true,
      })
      const at = (offset: number) => {
        const signed = scheme.sign({ payload, secret, timestamp: now + offset })
        const result = scheme.verify({ ...signed, secret, now })
        return result.ok ? 'ok' : result.reason
      }
      expect(at(3600), timestampUnit).toBe('ok')
      expect(at(-60), timestampUnit).toBe('ok')
      expect(at(-61), timestampUnit).toBe('timestamp_too_old')
    }
  })

  it('accepts a tolerance of 0 s (exactly now) and refuses one that is not a finite number', () => {
    const scheme = hmac.with({
      header: 'X-Sig',
      template: '{timestamp}.{body}',
      timestampHeader: 'X-Ts',
      tolerance: 0,
    })
    expect(scheme.tolerance).toBe(0)
    const now = 1_700_000_000
    const signed = scheme.sign({ payload, secret, timestamp: now })
    expect(scheme.verify({ ...signed, secret, now }).ok).toBe(true)
    expect(scheme.verify({ ...signed, secret, now: now + 1 })).toMatchObject({
      reason: 'timestamp_too_old',
    })
    for (const tolerance of [Infinity, NaN, '60', -0.5]) {
      expect(() =>
        hmac.with({
          header: 'X-Sig',
          template: '{timestamp}.{body}',
          timestampHeader: 'X-Ts',
          tolerance: tolerance as never,
        }),
      ).toThrow(/^Invalid option `hmac.with tolerance`: expected a number of seconds >= 0, got /)
    }
    expect(() =>
      hmac.with({
        header: 'X-Sig',
        template: '{timestamp}.{body}',
        timestampHeader: 'X-Ts',
        allowFuture: 'yes' as never,
      }),
    ).toThrow('Invalid option `hmac.with allowFuture`: expected true or false, got "yes".')
  })

  it('says in each template error which option is wrong and what it accepts', () => {
    const message = (config: object) => {
      try {
        hmac.with(config as never)
      } catch (error) {
        return (error as Error).message
      }
      return 'no error'
    }
    expect(message({ header: 'X-Sig', template: '{ts}.{body}' })).toBe(
      'Invalid option `hmac.with template`: expected placeholders {body}, {timestamp}, {id} or {url}, got "{ts}.{body}".',
    )
    expect(message({ header: 'X-Sig', template: '{url}' })).toBe(
      'Invalid option `hmac.with template`: expected a template that signs {body}, got "{url}".',
    )
    expect(message({ header: 'X-Sig', template: '{timestamp}.{body}' })).toBe(
      'Invalid option `hmac.with timestampHeader`: expected timestampHeader together with {timestamp} in the template (both or neither), got undefined.',
    )
    expect(message({ header: 'X-Sig', idHeader: 'X-Id' })).toBe(
      'Invalid option `hmac.with idHeader`: expected idHeader together with {id} in the template (both or neither), got "X-Id".',
    )
    const signsUrl = hmac.with({ name: 'acme', header: 'X-Sig', template: '{url}{body}' })
    expect(() => signsUrl.sign({ payload, secret, url: '' })).toThrow(
      'Invalid option `acme.sign({ url })`: expected the full request URL, which this scheme signs, got "".',
    )
  })

  it('names the configured header in each refusal, and the timestamp unit it expects', () => {
    const now = 1_700_000_000
    const refusal = (scheme: ReturnType<typeof hmac.with>, headers: Record<string, string>) => {
      const result = scheme.verify({ headers, body: 'hi', secret, now })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    const acme = hmac.with({
      name: 'acme',
      header: 'X-Acme-Signature',
      prefix: 'v1=',
      template: '{id}.{timestamp}.{body}',
      timestampHeader: 'X-Acme-Timestamp',
      idHeader: 'X-Acme-Id',
    })
    const { headers } = acme.sign({ payload: 'hi', secret, id: 'msg_1', timestamp: now })
    const sig = headers['x-acme-signature']!
    expect(refusal(acme, headers)).toBe('ok')
    expect(refusal(acme, { ...headers, 'x-acme-signature': '' })).toBe(
      'missing_header: The X-Acme-Signature header is missing.',
    )
    expect(refusal(acme, { ...headers, 'x-acme-signature': sig.slice(3) })).toBe(
      'malformed_header: The X-Acme-Signature header does not start with "v1=".',
    )
    expect(refusal(acme, { ...headers, 'x-acme-timestamp': '' })).toBe(
      'missing_header: The X-Acme-Timestamp header is missing.',
    )
    expect(refusal(acme, { ...headers, 'x-acme-timestamp': 'now' })).toBe(
      'malformed_header: The X-Acme-Timestamp header is not a Unix time in seconds.',
    )
    expect(refusal(acme, { ...headers, 'x-acme-id': '' })).toBe(
      'missing_header: The X-Acme-Id header is missing.',
    )
    expect(refusal(acme, { ...headers, 'x-acme-id': 'msg_2' })).toBe(
      'bad_signature: The X-Acme-Signature signature does not match.',
    )
    const hubspotLike = hmac.with({
      header: 'X-Sig',
      template: '{timestamp}{body}',
      timestampHeader: 'X-Ts',
      timestampUnit: 'ms',
    })
    const signed = hubspotLike.sign({ payload: 'hi', secret, timestamp: now })
    expect(refusal(hubspotLike, { ...signed.headers, 'x-ts': '1.7e12' })).toBe(
      'malformed_header: The X-Ts header is not a Unix time in milliseconds.',
    )
  })

  it('keys each HMAC by its own secret, across more secrets than the key cache holds', () => {
    // Verify keeps the last 64 secrets as KeyObjects; each of 150 must still sign for itself only.
    const body = '{"n":1}'
    const secrets = Array.from({ length: 150 }, (_, i) => `secret-${i}`)
    for (const [i, own] of secrets.entries()) {
      const headers = {
        'x-webhook-signature': createHmac('sha256', own).update(body).digest('hex'),
      }
      expect(hmac.verify({ headers, body, secret: own }).ok, own).toBe(true)
      const other = secrets[(i + 1) % secrets.length]!
      expect(hmac.verify({ headers, body, secret: other })).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      })
      expect(hmac.verify({ headers, body, secrets: [other, own] })).toMatchObject({
        ok: true,
        secretIndex: 1,
      })
    }
  })
})
