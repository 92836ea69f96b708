import { createPublicKey, verify as cryptoVerify } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import { describe, expect, it } from 'vitest'
import { HookwrightError, getScheme, standardWebhooks, svix } from '../../src/index.js'

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const payload = { type: 'contact.created', data: { id: '1f81eb52' } }
const now = 1_700_000_000

const reasonOf = (result: ReturnType<typeof standardWebhooks.verify>) =>
  result.ok ? 'ok' : result.reason

describe('standardWebhooks', () => {
  it('signs what the standardwebhooks and svix libraries verify', () => {
    const { headers, body } = standardWebhooks.sign({ payload, secret, id: 'msg_1' })
    expect(Object.keys(headers).sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ])
    expect(new StandardWebhook(secret).verify(body as string, headers)).toEqual(payload)
    expect(new SvixWebhook(secret).verify(body as string, headers)).toEqual(payload)
  })

  it('verifies what the standardwebhooks library signs, with a whsec_ or a bare base64 secret', () => {
    const body = JSON.stringify(payload, null, 2)
    const official = new StandardWebhook(secret)
    const signature = official.sign('msg_2', new Date(now * 1000), body)
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(now),
      'webhook-signature': signature,
    }
    expect(standardWebhooks.verify({ headers, body, secret, now })).toMatchObject({
      ok: true,
      scheme: 'standardWebhooks',
      id: 'msg_2',
      timestamp: now,
    })
    const bare = secret.slice('whsec_'.length)
    expect(new StandardWebhook(bare).sign('msg_2', new Date(now * 1000), body)).toBe(signature)
    expect(standardWebhooks.verify({ headers, body, secret: bare, now }).ok).toBe(true)
  })

  it('speaks the svix-* header names both ways', () => {
    const { headers, body } = standardWebhooks.sign({ payload, secret, headerPrefix: 'svix' })
    expect(Object.keys(headers).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp'])
    expect(new SvixWebhook(secret).verify(body as string, headers)).toEqual(payload)
    expect(standardWebhooks.verify({ headers, body, secret }).ok).toBe(true)
    // What svix signs, read from Svix-* headers as a Node server would see them.
    const svix = new SvixWebhook(secret)
    const text = '{"svix":true}'
    const signed = svix.sign('msg_svix', new Date(now * 1000), text)
    const incoming: IncomingHttpHeaders = {
      'svix-id': 'msg_svix',
      'svix-timestamp': String(now),
      'svix-signature': signed,
    }
    expect(standardWebhooks.verify({ headers: incoming, body: text, secret, now }).ok).toBe(true)
  })

  it('accepts any of several space-separated signatures and any of several secrets', () => {
    const old = 'whsec_' + Buffer.alloc(24, 1).toString('base64')
    // The official library checks against the real clock, so this delivery is signed now.
    const timestamp = Math.floor(Date.now() / 1000)
    const a = standardWebhooks.sign({ payload, secret, id: 'msg_3', timestamp })
    const b = standardWebhooks.sign({ payload, secret: old, id: 'msg_3', timestamp })
    const both = `${b.headers['webhook-signature']} v2,ignored ${a.headers['webhook-signature']}`
    const headers = { ...a.headers, 'webhook-signature': both }
    // The official library accepts the same header, so does the rotation below.
    expect(new StandardWebhook(old).verify(a.body as string, headers)).toEqual(payload)
    expect(
      standardWebhooks.verify({
        headers,
        body: a.body,
        secrets: ['whsec_' + 'A'.repeat(32), secret],
      }),
    ).toMatchObject({ ok: true, secretIndex: 1 })
    expect(standardWebhooks.verify({ headers, body: a.body, secrets: [old] }).ok).toBe(true)
  })

  it('says why a request is refused', () => {
    const { headers, body } = standardWebhooks.sign({ payload, secret, timestamp: now })
    const check = (h: Record<string, string>, b: string | Uint8Array = body, s = secret) =>
      reasonOf(standardWebhooks.verify({ headers: h, body: b, secret: s, now }))
    const without = (name: string) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name))
    expect(check(headers)).toBe('ok')
    expect(check(headers, `${body} `)).toBe('bad_signature')
    expect(check(headers, body, 'whsec_' + Buffer.alloc(24, 7).toString('base64'))).toBe(
      'bad_signature',
    )
    // Id and timestamp are signed too.
    expect(check({ ...headers, 'webhook-id': 'msg_other' })).toBe('bad_signature')
    expect(check({ ...headers, 'webhook-timestamp': String(now - 1) })).toBe('bad_signature')
    expect(check(without('webhook-signature'))).toBe('missing_header')
    expect(check(without('webhook-id'))).toBe('missing_header')
    expect(check(without('webhook-timestamp'))).toBe('missing_header')
    expect(check({ ...headers, 'webhook-timestamp': 'yesterday' })).toBe('malformed_header')
    expect(
      check({ ...headers, 'webhook-signature': 'K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }),
    ).toBe('malformed_header')
    expect(
      check({ ...headers, 'webhook-signature': 'v2,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }),
    ).toBe('unsupported_version')
    expect(standardWebhooks.verify({ headers, body, secrets: [''], now })).toMatchObject({
      reason: 'missing_secret',
    })
  })

  it('refuses timestamps more than 300 s away in either direction, as the official library', () => {
    const at = (offset: number) => {
      const { headers, body } = standardWebhooks.sign({ payload, secret, timestamp: now + offset })
      return reasonOf(standardWebhooks.verify({ headers, body, secret, now }))
    }
    expect([at(-300), at(300)]).toEqual(['ok', 'ok'])
    expect(at(-301)).toBe('timestamp_too_old')
    expect(at(301)).toBe('timestamp_in_future')
    // The official library, against the real clock, draws the same lines.
    const official = new StandardWebhook(secret)
    const real = Math.floor(Date.now() / 1000)
    for (const [offset, message] of [
      [-400, /too old/],
      [400, /too new/],
    ] as const) {
      const { headers, body } = standardWebhooks.sign({ payload, secret, timestamp: real + offset })
      expect(() => official.verify(body as string, headers)).toThrow(message)
      expect(reasonOf(standardWebhooks.verify({ headers, body, secret }))).toBe(
        offset < 0 ? 'timestamp_too_old' : 'timestamp_in_future',
      )
    }
  })

  it('generates whsec_ secrets the official library accepts', () => {
    const { signSecret, verifySecret } = standardWebhooks.generateSecret()
    expect(signSecret).toBe(verifySecret)
    expect(signSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    const { headers, body } = standardWebhooks.sign({ payload, secret: signSecret })
    expect(new StandardWebhook(verifySecret).verify(body as string, headers)).toEqual(payload)
  })

  it('treats a secret that is not base64 as misuse, without printing it', () => {
    const bad = 'whsec_not*base64!'
    const { headers, body } = standardWebhooks.sign({ payload, secret })
    for (const run of [
      () => standardWebhooks.sign({ payload, secret: bad }),
      () => standardWebhooks.verify({ headers, body, secret: bad }),
      () => standardWebhooks.verify({ headers, body, secrets: [secret, 'plain text secret'] }),
      () => standardWebhooks.verify({ headers, body, secret: 'whpk_short' }),
    ]) {
      expect(run).toThrow(HookwrightError)
      expect(run).toThrow(/`secret`.*whsec_/)
      expect(run).not.toThrow(/not\*base64|plain text/)
    }
    expect(() => standardWebhooks.sign({ payload, secret, headerPrefix: 'x' as never })).toThrow(
      /`headerPrefix`.*'webhook' or 'svix'/,
    )
  })

  describe('asymmetric v1a (Ed25519) signatures', () => {
    const keys = standardWebhooks.generateKeyPair()

    it('signs with a whsk_ private key and verifies with the whpk_ public key', () => {
      expect(keys.signSecret).toMatch(/^whsk_/)
      expect(keys.verifySecret).toMatch(/^whpk_/)
      const { headers, body } = standardWebhooks.sign({
        payload,
        secret: keys.signSecret,
        id: 'msg_a',
        timestamp: now,
      })
      const signature = headers['webhook-signature']!
      expect(signature).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/)
      // An independent Ed25519 check with node:crypto, from the raw public key.
      const raw = Buffer.from(keys.verifySecret.slice(5), 'base64')
      const publicKey = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
        format: 'jwk',
      })
      const signed = Buffer.from(`msg_a.${now}.${body as string}`)
      expect(cryptoVerify(null, signed, publicKey, Buffer.from(signature.slice(4), 'base64'))).toBe(
        true,
      )

      expect(
        standardWebhooks.verify({ headers, body, secret: keys.verifySecret, now }),
      ).toMatchObject({ ok: true })
      // The private key verifies too (its public half is derived).
      expect(standardWebhooks.verify({ headers, body, secret: keys.signSecret, now }).ok).toBe(true)
      expect(
        reasonOf(
          standardWebhooks.verify({ headers, body: `${body} `, secret: keys.verifySecret, now }),
        ),
      ).toBe('bad_signature')
      // A v1a signature does not satisfy an HMAC secret, nor the other way round.
      expect(reasonOf(standardWebhooks.verify({ headers, body, secret, now }))).toBe(
        'bad_signature',
      )
    })

    it('accepts a 32-byte seed, rejects a key pair whose halves disagree, and refuses to sign with a public key', () => {
      const seed = Buffer.from(keys.signSecret.slice(5), 'base64').subarray(0, 32)
      const { headers, body } = standardWebhooks.sign({
        payload,
        secret: `whsk_${seed.toString('base64')}`,
        timestamp: now,
      })
      expect(standardWebhooks.verify({ headers, body, secret: keys.verifySecret, now }).ok).toBe(
        true,
      )
      const other = standardWebhooks.generateKeyPair().verifySecret.slice(5)
      const mismatched = `whsk_${Buffer.concat([seed, Buffer.from(other, 'base64')]).toString('base64')}`
      expect(() => standardWebhooks.sign({ payload, secret: mismatched })).toThrow(/`secret`/)
      expect(() => standardWebhooks.sign({ payload, secret: keys.verifySecret })).toThrow(
        /private key to sign/,
      )
    })

    it('rotates from an HMAC secret to a public key with one secrets list', () => {
      const hmacSigned = standardWebhooks.sign({ payload, secret, id: 'msg_r', timestamp: now })
      const edSigned = standardWebhooks.sign({
        payload,
        secret: keys.signSecret,
        id: 'msg_r',
        timestamp: now,
      })
      const headers = {
        ...hmacSigned.headers,
        'webhook-signature': `${hmacSigned.headers['webhook-signature']} ${edSigned.headers['webhook-signature']}`,
      }
      const secrets = [keys.verifySecret, secret]
      expect(
        standardWebhooks.verify({ headers, body: hmacSigned.body, secrets, now }),
      ).toMatchObject({
        ok: true,
        secretIndex: 0,
      })
      // A non-canonical base64 signature (a flipped padding bit) is not a second valid form.
      const sig = edSigned.headers['webhook-signature']!
      const flipped =
        sig.slice(0, -3) + String.fromCharCode(sig.charCodeAt(sig.length - 3) ^ 1) + '=='
      const result = standardWebhooks.verify({
        headers: { ...edSigned.headers, 'webhook-signature': flipped },
        body: edSigned.body,
        secret: keys.verifySecret,
        now,
      })
      expect(reasonOf(result)).toBe('bad_signature')
    })
  })

  it('reads headers in any shape and the body as string, Buffer or Uint8Array', () => {
    const { headers, body } = standardWebhooks.sign({ payload, secret, timestamp: now })
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]))
    const incoming: IncomingHttpHeaders = { ...headers, 'x-forwarded-for': ['a', 'b'] as never }
    for (const h of [upper, new Headers(headers), incoming]) {
      for (const b of [body, Buffer.from(body), new Uint8Array(Buffer.from(body))]) {
        expect(standardWebhooks.verify({ headers: h, body: b, secret, now }).ok).toBe(true)
      }
    }
    expect(getScheme('standardWebhooks')).toBe(standardWebhooks)
  })
  it('accepts a secret whose base64 padding is left off, signing as with the padded key', () => {
    // The key of python's test_signature_verification_with_unpadded_secret: 34 characters, "==" off.
    const padded = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr=='
    const body = JSON.stringify(payload)
    const timestamp = Math.floor(Date.now() / 1000)
    const reference = standardWebhooks.sign({ payload, secret: padded, id: 'msg_pad', timestamp })
    for (const unpadded of [padded.slice(0, -2), padded.slice(0, -1), padded.slice(6, -2)]) {
      const signed = standardWebhooks.sign({ payload, secret: unpadded, id: 'msg_pad', timestamp })
      expect(signed.headers['webhook-signature']).toBe(reference.headers['webhook-signature'])
      expect(standardWebhooks.verify({ headers: signed.headers, body, secret: unpadded }).ok).toBe(
        true,
      )
      // The official library reads the same key the same way.
      expect(new StandardWebhook(unpadded).verify(body, signed.headers)).toEqual(payload)
    }
    // One "=" off a key that needs one.
    const one = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'
    expect(standardWebhooks.sign({ payload, secret: one, id: 'm', timestamp }).headers).toEqual(
      standardWebhooks.sign({ payload, secret: `${one}=`, id: 'm', timestamp }).headers,
    )
    // Only padding may be missing: a length no padding can fix, or padding in the middle, is misuse.
    for (const bad of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwB', 'whsec_MfKQ=9r8GKYqrTw']) {
      expect(() => standardWebhooks.sign({ payload, secret: bad })).toThrow(HookwrightError)
    }
  })

  it('reads webhook-* before svix-* when both are present, as the standardwebhooks library', () => {
    const timestamp = Math.floor(Date.now() / 1000)
    const body = JSON.stringify(payload)
    const fresh = svix.sign({ payload, secret, id: 'msg_fresh', timestamp })
    const stale = standardWebhooks.sign({
      payload,
      secret,
      id: 'msg_stale',
      timestamp: timestamp - 600,
    })
    const headers = { ...fresh.headers, ...stale.headers }
    expect(Object.keys(headers).sort()).toEqual([
      'svix-id',
      'svix-signature',
      'svix-timestamp',
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ])
    // standardwebhooks reads only webhook-*: stale. svix reads svix-* first: fresh.
    expect(() => new StandardWebhook(secret).verify(body, headers)).toThrow(/too old/)
    expect(new SvixWebhook(secret).verify(body, headers)).toEqual(payload)
    expect(reasonOf(standardWebhooks.verify({ headers, body, secret }))).toBe('timestamp_too_old')
    expect(svix.verify({ headers, body, secret })).toMatchObject({ ok: true, id: 'msg_fresh' })
    // Header by header: an absent svix-id falls back to webhook-id, as svix's `??` does.
    const mixed = { ...headers, 'svix-id': undefined as never, 'webhook-id': 'msg_fresh' }
    expect(svix.verify({ headers: mixed, body, secret }).ok).toBe(true)
    expect(
      new SvixWebhook(secret).verify(body, {
        ...fresh.headers,
        'svix-id': undefined as never,
        'webhook-id': 'msg_fresh',
      }),
    ).toEqual(payload)
  })

  it('svix signs svix-* headers by default and is in the registry', () => {
    const { headers, body } = svix.sign({ payload, secret, id: 'msg_svix' })
    expect(Object.keys(headers).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp'])
    expect(new SvixWebhook(secret).verify(body as string, headers)).toEqual(payload)
    const unbranded = svix.sign({ payload, secret, headerPrefix: 'webhook' })
    expect(new StandardWebhook(secret).verify(unbranded.body as string, unbranded.headers)).toEqual(
      payload,
    )
    expect(svix.verify({ headers: unbranded.headers, body, secret }).ok).toBe(true)
    expect(getScheme('svix')).toBe(svix)
    expect(svix.headers).toEqual(['svix-signature', 'svix-id', 'svix-timestamp'])
  })
})
