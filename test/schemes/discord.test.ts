import { webcrypto } from 'node:crypto'
import { verifyKey } from 'discord-interactions'
import { describe, expect, it } from 'vitest'
import { HookwrightError, discord, getScheme } from '../../src/index.js'

const interaction = { type: 1, id: '123', application_id: '456' }

/** Signs the way Discord does, with WebCrypto rather than our code, for the other direction. */
async function signLikeDiscord(timestamp: string, body: string) {
  const pair = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const publicKey = Buffer.from(await webcrypto.subtle.exportKey('raw', pair.publicKey)).toString(
    'hex',
  )
  const signed = await webcrypto.subtle.sign(
    'Ed25519',
    pair.privateKey,
    Buffer.from(timestamp + body),
  )
  return { publicKey, signature: Buffer.from(signed).toString('hex') }
}

describe('discord', () => {
  it('signs with a generated private key what discord-interactions verifyKey accepts', async () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    expect(signSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(verifySecret).toMatch(/^[0-9a-f]{64}$/)
    const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
    expect(
      await verifyKey(
        body,
        headers['x-signature-ed25519']!,
        headers['x-signature-timestamp']!,
        verifySecret,
      ),
    ).toBe(true)
    expect(discord.verify({ headers, body, secret: verifySecret })).toMatchObject({
      ok: true,
      scheme: 'discord',
      secretIndex: 0,
    })
  })

  it('verifies a signature made by WebCrypto with the public key as the portal shows it', async () => {
    const body = JSON.stringify(interaction)
    const { publicKey, signature } = await signLikeDiscord('1700000000', body)
    expect(await verifyKey(body, signature, '1700000000', publicKey)).toBe(true)
    const headers = { 'X-Signature-Ed25519': signature, 'X-Signature-Timestamp': '1700000000' }
    expect(discord.verify({ headers, body, secret: publicKey })).toEqual({
      ok: true,
      scheme: 'discord',
      secretIndex: 0,
      timestamp: 1_700_000_000,
    })
  })

  it('accepts the signature in upper-case hex, as discord-interactions verifyKey does', async () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
    const timestamp = headers['x-signature-timestamp']!
    for (const signature of [
      headers['x-signature-ed25519']!.toUpperCase(),
      headers['x-signature-ed25519']!.replace(/[a-f]/, (c) => c.toUpperCase()),
    ]) {
      expect(await verifyKey(body, signature, timestamp, verifySecret)).toBe(true)
      const result = discord.verify({
        headers: { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp },
        body,
        secret: verifySecret,
      })
      expect(result).toMatchObject({ ok: true, secretIndex: 0 })
    }
  })

  it('refuses each tampering with its reason', () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
    const signature = headers['x-signature-ed25519']!
    const check = (h: Record<string, string>, b = body as string) =>
      discord.verify({ headers: h, body: b, secret: verifySecret })
    expect(check(headers, `${body as string} `)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    })
    expect(check({ ...headers, 'x-signature-timestamp': '1' })).toMatchObject({
      reason: 'bad_signature',
    })
    const flipped = (signature[0] === '0' ? '1' : '0') + signature.slice(1)
    expect(check({ ...headers, 'x-signature-ed25519': flipped })).toMatchObject({
      reason: 'bad_signature',
    })
    // Non-hex characters are refused, though discord-interactions' parseInt decoder reads them.
    expect(
      check({ ...headers, 'x-signature-ed25519': `${signature.slice(0, -1)}g` }),
    ).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ ...headers, 'x-signature-ed25519': 'abc' })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(check({ ...headers, 'x-signature-timestamp': 'soon' })).toMatchObject({
      reason: 'malformed_header',
    })
    expect(check({ 'x-signature-timestamp': '1' })).toMatchObject({ reason: 'missing_header' })
    expect(check({ 'x-signature-ed25519': signature })).toMatchObject({ reason: 'missing_header' })
    const other = discord.generateSecret().verifySecret
    expect(discord.verify({ headers, body, secret: other })).toMatchObject({
      reason: 'bad_signature',
    })
  })

  it('refuses a signature that is not exactly 128 hex characters, saying so', async () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
    const signature = headers['x-signature-ed25519']!
    const timestamp = headers['x-signature-timestamp']!
    // One character more at either end: Buffer.from(…, 'hex') would read the 64 bytes anyway.
    for (const bad of [`${signature}0`, `0${signature}`, signature.slice(0, -2), `${signature} `]) {
      expect(await verifyKey(body, bad, timestamp, verifySecret), bad).toBe(false)
      expect(
        discord.verify({
          headers: { ...headers, 'x-signature-ed25519': bad },
          body,
          secret: verifySecret,
        }),
        bad,
      ).toEqual({
        ok: false,
        scheme: 'discord',
        reason: 'bad_signature',
        message: 'The signature is not 64 bytes of hex.',
      })
    }
  })

  it('names the header at fault in each refusal', () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
    const refusal = (h: Record<string, string>) => {
      const result = discord.verify({ headers: h, body, secret: verifySecret })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(refusal({ 'x-signature-timestamp': headers['x-signature-timestamp']! })).toBe(
      'missing_header: The X-Signature-Ed25519 header is missing.',
    )
    expect(refusal({ 'x-signature-ed25519': headers['x-signature-ed25519']! })).toBe(
      'missing_header: The X-Signature-Timestamp header is missing.',
    )
    expect(refusal({ ...headers, 'x-signature-timestamp': '1.5' })).toBe(
      'malformed_header: The X-Signature-Timestamp header is not Unix seconds.',
    )
    expect(refusal({ ...headers, 'x-signature-timestamp': '1' })).toBe(
      'bad_signature: The signature does not match the body and public key.',
    )
    expect(discord.headers).toEqual(['x-signature-ed25519', 'x-signature-timestamp'])
  })

  it('reports the first listed key that verifies, when one key is listed in two forms', () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const other = discord.generateSecret().verifySecret
    const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
    const pem = [
      '-----BEGIN PUBLIC KEY-----',
      Buffer.concat([
        Buffer.from('302a300506032b6570032100', 'hex'),
        Buffer.from(verifySecret, 'hex'),
      ]).toString('base64'),
      '-----END PUBLIC KEY-----',
    ].join('\n')
    expect(discord.verify({ headers, body, secrets: [verifySecret, pem] })).toMatchObject({
      ok: true,
      secretIndex: 0,
    })
    expect(discord.verify({ headers, body, secrets: [other, pem, verifySecret] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
  })

  it('checks the timestamp only when a tolerance is given, as verifyKey checks none', () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const now = 1_700_000_000
    const signed = discord.sign({ payload: interaction, secret: signSecret, timestamp: now - 600 })
    expect(discord.verify({ ...signed, secret: verifySecret, now }).ok).toBe(true)
    expect(discord.verify({ ...signed, secret: verifySecret, now, tolerance: 300 })).toMatchObject({
      reason: 'timestamp_too_old',
    })
    expect(discord.tolerance).toBeUndefined()
  })

  it('accepts PEM keys, a 64-byte private key and several public keys during a rotation', () => {
    const { signSecret, verifySecret } = discord.generateSecret()
    const old = discord.generateSecret()
    const { headers, body } = discord.sign({
      payload: interaction,
      secret: `${signSecret}${verifySecret}`,
    })
    expect(
      discord.verify({ headers, body, secrets: [old.verifySecret, verifySecret] }),
    ).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    const pem = [
      '-----BEGIN PUBLIC KEY-----',
      Buffer.concat([
        Buffer.from('302a300506032b6570032100', 'hex'),
        Buffer.from(verifySecret, 'hex'),
      ]).toString('base64'),
      '-----END PUBLIC KEY-----',
    ].join('\n')
    expect(discord.verify({ headers, body, secret: pem }).ok).toBe(true)
  })

  it('throws on a secret that is not a key of the right kind, without echoing it', () => {
    const { headers, body } = discord.sign({
      payload: interaction,
      secret: discord.generateSecret().signSecret,
    })
    expect(() => discord.verify({ headers, body, secret: 'not-a-key' })).toThrow(
      /Ed25519 public key: 64 hex characters/,
    )
    expect(() => discord.sign({ payload: interaction, secret: 'abcd' })).toThrow(HookwrightError)
    const signWithBadKey = () => discord.sign({ payload: interaction, secret: 'topsecretvalue' })
    expect(signWithBadKey).toThrow(HookwrightError)
    expect(signWithBadKey).not.toThrow(/topsecretvalue/)
    expect(getScheme('discord')).toBe(discord)
  })
})
