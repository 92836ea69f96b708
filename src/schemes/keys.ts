import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { decodeStrict } from '../crypto.js'
import { invalidOption } from '../errors.js'

/** The asymmetric key types the schemes use: Ed25519 (Discord) and ECDSA P-256 (SendGrid). */
export type KeyKind = 'ed25519' | 'p256'

// DER headers that turn a raw 32-byte Ed25519 key into PKCS#8 / SPKI, which node:crypto reads.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex')
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex')

const DESCRIBE: Record<KeyKind, { private: string; public: string }> = {
  ed25519: {
    private: 'an Ed25519 private key: 64 hex characters (the seed), 128 (seed + public key) or PEM',
    public: 'an Ed25519 public key: 64 hex characters, as Discord shows it, or PEM',
  },
  p256: {
    private: 'an ECDSA P-256 private key: base64 PKCS#8 DER or PEM',
    public: 'an ECDSA P-256 public key: base64 SPKI DER, as SendGrid shows it, or PEM',
  },
}

// Parsing a key costs more than verifying with it; handlers verify with the same few keys.
const cache = new Map<string, KeyObject>()

function remember(id: string, make: () => KeyObject | undefined): KeyObject | undefined {
  const hit = cache.get(id)
  // Stryker disable next-line ConditionalExpression: a miss parses the same text to an equal key (only slower)
  if (hit) return hit
  const key = make()
  if (key) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: the bound keeps memory small; a cleared cache parses again, to an equal key
    if (cache.size >= 64) cache.clear()
    cache.set(id, key)
  }
  return key
}

function fits(key: KeyObject, kind: KeyKind): boolean {
  if (kind === 'ed25519') return key.asymmetricKeyType === 'ed25519'
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
}

function read(secret: string, kind: KeyKind, type: 'private' | 'public'): KeyObject | undefined {
  const create = type === 'private' ? createPrivateKey : createPublicKey
  try {
    if (secret.includes('-----BEGIN')) return create(secret)
    if (kind === 'ed25519') {
      const raw = decodeStrict(secret, 'hex')
      if (type === 'public' && raw?.length === 32) {
        return createPublicKey({
          key: Buffer.concat([ED25519_SPKI, raw]),
          format: 'der',
          type: 'spki',
        })
      }
      if (type === 'private' && (raw?.length === 32 || raw?.length === 64)) {
        const seed = raw.subarray(0, 32)
        const der = Buffer.concat([ED25519_PKCS8, seed])
        return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
      }
    }
    const der = decodeStrict(secret, 'base64')
    if (!der) return undefined
    return type === 'private'
      ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
      : createPublicKey({ key: der, format: 'der', type: 'spki' })
  } catch {
    return undefined
  }
}

/**
 * A key from the text a provider's dashboard shows. A secret that is not a key of the right
 * kind is misuse (a configuration error), so it throws without echoing the secret.
 */
export function keyFrom(secret: string, kind: KeyKind, type: 'private' | 'public'): KeyObject {
  const key = remember(`${kind}:${type}:${secret}`, () => {
    const parsed = read(secret.trim(), kind, type)
    return parsed && fits(parsed, kind) ? parsed : undefined
  })
  if (!key) {
    return invalidOption('secret', DESCRIBE[kind][type], secret, {
      secret: true,
    })
  }
  return key
}

/** A fresh key pair written the way the provider shows keys. */
export function generateKeyPair(kind: KeyKind): { signSecret: string; verifySecret: string } {
  if (kind === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8.length)
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI.length)
    return { signSecret: seed.toString('hex'), verifySecret: raw.toString('hex') }
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return {
    signSecret: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    verifySecret: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  }
}
