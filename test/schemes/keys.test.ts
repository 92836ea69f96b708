// The asymmetric keys Discord (Ed25519) and SendGrid (ECDSA P-256) verify with, read from the
// text each dashboard shows: which forms are keys of the right kind, and which are misuse.
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { discord, sendgrid } from '../../src/index.js'

const interaction = { type: 1, id: 'interaction_1' }

function misuse(f: () => unknown): { code: string; message: string } {
  try {
    f()
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message }
  }
  return expect.unreachable('it should have thrown')
}

describe('Discord keys (Ed25519)', () => {
  it('signs with the 32-byte seed or the 64-byte seed + public key, and verifies with the public key as hex or PEM', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16)
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12)
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString()
    for (const signSecret of [
      seed.toString('hex'),
      Buffer.concat([seed, raw]).toString('hex'),
      seed.toString('hex').toUpperCase(),
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ]) {
      const { headers, body } = discord.sign({ payload: interaction, secret: signSecret })
      for (const verifySecret of [raw.toString('hex'), pem, `\n  ${pem}\n`]) {
        expect(discord.verify({ headers, body, secret: verifySecret }).ok).toBe(true)
      }
    }
  })

  it.each([
    ['31 bytes of hex', 'ab'.repeat(31)],
    ['33 bytes of hex', 'ab'.repeat(33)],
    ['64 bytes of hex (a private key written where the public key goes)', 'ab'.repeat(64)],
    [
      'a P-256 public key',
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .publicKey.export({ format: 'pem', type: 'spki' })
        .toString(),
    ],
    [
      'an Ed448 public key',
      generateKeyPairSync('ed448').publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    ],
    ['text', 'not a key'],
  ])('refuses %s as the public key, naming what it takes', (_, secret) => {
    const { headers, body } = discord.sign({
      payload: interaction,
      secret: discord.generateSecret().signSecret,
    })
    const error = misuse(() => discord.verify({ headers, body, secret }))
    expect(error.code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(error.message).toMatch(
      /^Invalid option `secret`: expected an Ed25519 public key: 64 hex characters, as Discord shows it, or PEM/,
    )
  })

  it.each([
    ['31 bytes of hex', 'ab'.repeat(31)],
    ['48 bytes of hex', 'ab'.repeat(48)],
    [
      'a P-256 private key',
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
    ],
  ])('refuses %s as the private key, naming what it takes', (_, secret) => {
    const error = misuse(() => discord.sign({ payload: interaction, secret }))
    expect(error.code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(error.message).toMatch(
      /^Invalid option `secret`: expected an Ed25519 private key: 64 hex characters \(the seed\), 128 \(seed \+ public key\) or PEM/,
    )
  })
})

describe('SendGrid keys (ECDSA P-256)', () => {
  it('signs and verifies with base64 DER as SendGrid shows it, or PEM', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const signSecrets = [
      privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ]
    const verifySecrets = [
      publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    ]
    for (const signSecret of signSecrets) {
      const { headers, body } = sendgrid.sign({ payload: [{ event: 'open' }], secret: signSecret })
      for (const verifySecret of verifySecrets) {
        expect(sendgrid.verify({ headers, body, secret: verifySecret }).ok).toBe(true)
      }
    }
  })

  it.each([
    [
      'a P-384 public key',
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
        .publicKey.export({ format: 'der', type: 'spki' })
        .toString('base64'),
    ],
    [
      'an Ed25519 public key',
      generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    ],
    [
      'an RSA public key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ format: 'pem', type: 'spki' })
        .toString(),
    ],
    ['base64 that is not DER', Buffer.from('not a key at all').toString('base64')],
  ])('refuses %s as the public key, naming what it takes', (_, secret) => {
    const { headers, body } = sendgrid.sign({
      payload: [{ event: 'open' }],
      secret: sendgrid.generateSecret().signSecret,
    })
    const error = misuse(() => sendgrid.verify({ headers, body, secret }))
    expect(error.code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(error.message).toMatch(
      /^Invalid option `secret`: expected an ECDSA P-256 public key: base64 SPKI DER, as SendGrid shows it, or PEM/,
    )
    // The key text is never echoed.
    expect(error.message).not.toContain(secret.slice(0, 40))
  })
})
