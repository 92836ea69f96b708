import {
  createPrivateKey,
  createSecretKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as signBytes,
  verify as verifyBytes,
  type KeyObject,
} from 'node:crypto'
import { decodeStrict, hmac, hmacText, safeIncludesText } from '../crypto.js'
import { invalidOption } from '../errors.js'
import { checkTimestamp, defineScheme, eachHeaderPair, parseTimestamp } from './define.js'
import type { Scheme, SignOptions, VerifyOptions } from './types.js'

export interface StandardWebhooksSignOptions extends SignOptions {
  /**
   * `webhook` writes `webhook-id/-timestamp/-signature`; `svix` writes `svix-*`. The default is
   * the scheme's own: `webhook` for `standardWebhooks`, `svix` for `svix`.
   */
  headerPrefix?: 'webhook' | 'svix'
}

/** A parsed secret: the spec tells the algorithm apart by the key's prefix. */
type Key =
  | { kind: 'hmac'; key: Buffer; secretKey: KeyObject }
  | { kind: 'ed25519-private'; key: KeyObject; publicKey: KeyObject }
  | { kind: 'ed25519-public'; key: KeyObject }

// DER headers that turn a raw Ed25519 seed / public key into PKCS#8 / SPKI for node:crypto.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')

const ACCEPTED_SECRETS =
  'a `whsec_` secret followed by base64 (or bare base64), a `whsk_` Ed25519 private key or a `whpk_` Ed25519 public key'

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp` and `webhook-signature:
 * v1,<base64 hmac-sha256 of "<id>.<timestamp>.<raw body>">`, several space-separated signatures
 * of which any may match. The secret is `whsec_<base64 key>` (a bare base64 key, and a key whose
 * base64 padding is left off, are accepted, as the official libraries do). Tolerance 300 s in
 * both directions, as `standardwebhooks`. Verify reads each `webhook-*` header first and the
 * `svix-*` one of the same name when it is absent (the `svix` scheme reads them the other way
 * round); sign writes `svix-*` names with `headerPrefix: 'svix'`.
 *
 * The spec's asymmetric `v1a` (Ed25519) signatures use the same scheme: a `whsk_` private key
 * signs `v1a,<base64>`, a `whpk_` public key verifies it. The key's prefix picks the algorithm,
 * as the spec intends, so a rotation from `whsec_` to `whpk_` is one `secrets: [old, new]`.
 *
 * @example
 * const { signSecret, verifySecret } = standardWebhooks.generateSecret()   // whsec_…
 * const { headers, body } = standardWebhooks.sign({ payload: event, secret: signSecret })
 * standardWebhooks.verify({ headers: req.headers, body: rawBody, secret: verifySecret })
 */
export const standardWebhooks: Scheme<StandardWebhooksSignOptions, VerifyOptions> & {
  /**
   * A fresh Ed25519 key pair for `v1a` signatures: `signSecret` is `whsk_…` (the 64-byte
   * seed + public key, as libsodium and Go store it), `verifySecret` is `whpk_…`.
   *
   * @example
   * const { signSecret, verifySecret } = standardWebhooks.generateKeyPair()
   */
  generateKeyPair(): { signSecret: string; verifySecret: string }
} = Object.assign(createScheme('standardWebhooks', 'webhook', 'svix'), {
  generateKeyPair() {
    const { privateKey } = generateKeyPairSync('ed25519')
    const jwk = privateKey.export({ format: 'jwk' })
    const seed = Buffer.from(jwk.d!, 'base64url')
    const pub = Buffer.from(jwk.x!, 'base64url')
    return {
      signSecret: `whsk_${Buffer.concat([seed, pub]).toString('base64')}`,
      verifySecret: `whpk_${pub.toString('base64')}`,
    }
  },
})

/**
 * Svix: Standard Webhooks under Svix's own header names. Sign writes `svix-id`, `svix-timestamp`
 * and `svix-signature` (`headerPrefix: 'webhook'` writes the unbranded names); verify reads each
 * `svix-*` header first and the `webhook-*` one of the same name when it is absent, as the
 * `svix` library does, so a delivery carrying both sets is judged by its `svix-*` headers.
 * Secrets, signatures and tolerance are as in `standardWebhooks`.
 *
 * @example
 * const { headers, body } = svix.sign({ payload: event, secret: 'whsec_…' })   // svix-* headers
 * svix.verify({ headers: req.headers, body: rawBody, secret: 'whsec_…' })
 */
export const svix: Scheme<StandardWebhooksSignOptions, VerifyOptions> = createScheme(
  'svix',
  'svix',
  'webhook',
)

type HeaderPrefix = 'webhook' | 'svix'

/**
 * The scheme under one registry name: `first` is the header family sign writes by default and
 * verify reads first; `second` is read, header by header, where `first` is absent (present but
 * empty counts as present, as in svix's `??`).
 */
function createScheme(name: string, first: HeaderPrefix, second: HeaderPrefix) {
  // The header names, made once: verify looks three of them up on every request.
  const names = (field: string): readonly [string, string] => [
    `${first}-${field}`,
    `${second}-${field}`,
  ]
  const SIGNATURE = names('signature')
  const ID = names('id')
  const TIMESTAMP = names('timestamp')
  return defineScheme<StandardWebhooksSignOptions, VerifyOptions>({
    name,
    headers: [`${first}-signature`, `${first}-id`, `${first}-timestamp`],
    tolerance: 300,
    generateSecret() {
      const secret = `whsec_${randomBytes(24).toString('base64')}`
      return { signSecret: secret, verifySecret: secret }
    },
    sign({ options, bodyBytes, timestamp }) {
      const prefix = options.headerPrefix ?? first
      if (prefix !== 'webhook' && prefix !== 'svix') {
        invalidOption('headerPrefix', "'webhook' or 'svix'", prefix)
      }
      const key = parseSecret(options.secret)
      const id = options.id ?? `msg_${randomBytes(18).toString('base64url')}`
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
      const signed = [Buffer.from(`${id}.${timestamp}.`, 'utf8'), bodyBytes]
      let signature: string
      if (key.kind === 'hmac') {
        signature = `v1,${hmac('sha256', key.key, ...signed).toString('base64')}`
      } else if (key.kind === 'ed25519-private') {
        signature = `v1a,${signBytes(null, Buffer.concat(signed), key.key).toString('base64')}`
      } else {
        return invalidOption(
          'secret',
          'a `whsec_` secret or a `whsk_` private key to sign with',
          undefined,
          {
            secret: true,
          },
        )
      }
      return {
        [`${prefix}-id`]: id,
        [`${prefix}-timestamp`]: String(timestamp),
        [`${prefix}-signature`]: signature,
      }
    },
    verify(ctx) {
      const read = ([own, other]: readonly [string, string]) => ctx.header(own) ?? ctx.header(other)
      const header = read(SIGNATURE)
      if (!header) return ctx.fail('missing_header', `The ${first}-signature header is missing.`)
      const id = read(ID)
      if (!id) return ctx.fail('missing_header', `The ${first}-id header is missing.`)
      const timestampText = read(TIMESTAMP)
      if (!timestampText) {
        return ctx.fail('missing_header', `The ${first}-timestamp header is missing.`)
      }
      const timestamp = parseTimestamp(timestampText)
      if (timestamp === undefined) {
        return ctx.fail(
          'malformed_header',
          `The ${first}-timestamp header is not a number of Unix seconds.`,
        )
      }
      const v1: Buffer[] = []
      const v1a: string[] = []
      let otherVersions = 0
      // Each item is "<version>,<signature>"; as the official libraries split it, the signature
      // runs to the next "," (JavaScript and Go ignore what follows).
      eachHeaderPair(header, ' ', ',', (version, rest) => {
        const end = rest.indexOf(',')
        const signature = end === -1 ? rest : rest.slice(0, end)
        // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
        if (version === 'v1') v1.push(Buffer.from(signature, 'utf8'))
        else if (version === 'v1a') v1a.push(signature)
        else otherVersions++
      })
      if (v1.length === 0 && v1a.length === 0) {
        return otherVersions > 0
          ? ctx.fail(
              'unsupported_version',
              `The ${first}-signature header has no v1 or v1a signature.`,
            )
          : ctx.fail('malformed_header', `The ${first}-signature header is not "v1,<base64>".`)
      }
      // The spec signs "<id>.<timestamp>.<raw body>" (the timestamp as the official library reprints it).
      const prefix = `${id}.${timestamp}.`
      let matched = -1
      for (let index = 0; index < ctx.secrets.length; index++) {
        const key = parseSecret(ctx.secrets[index]!)
        if (matchesAny(key, prefix, ctx.body, v1, v1a) && matched === -1) matched = index
      }
      if (matched === -1) {
        return ctx.fail('bad_signature', 'No signature matches the body and secret.')
      }
      return checkTimestamp(ctx, timestamp) ?? ctx.ok(matched, { timestamp, id })
    },
  })
}

/**
 * Every candidate of the key's kind is checked (no early exit), so the timing does not say which
 * signature in the header matched. v1 compares base64 text, so any changed character fails.
 */
function matchesAny(
  key: Key,
  prefix: string,
  body: Buffer,
  v1: readonly Buffer[],
  v1a: readonly string[],
): boolean {
  if (key.kind === 'hmac') {
    return safeIncludesText(hmacText('sha256', key.secretKey, 'base64', prefix, body), v1)
  }
  let found = false
  // Stryker disable next-line ConditionalExpression: node:crypto verifies with a private KeyObject as with its public half
  const publicKey = key.kind === 'ed25519-public' ? key.key : key.publicKey
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: with no v1a signature `data` is never read; '' is UTF-8 too
  const data = v1a.length > 0 ? Buffer.concat([Buffer.from(prefix, 'utf8'), body]) : body
  for (const text of v1a) {
    const signature = decodeStrict(text, 'base64')
    // Only the canonical encoding counts, so a changed padding bit is not a second valid form.
    if (signature?.byteLength !== 64 || signature.toString('base64') !== text) continue
    if (verifyBytes(null, data, publicKey, signature)) found = true
  }
  return found
}

// Decoded keys by secret: verify runs per request, and building an Ed25519 KeyObject costs more
// than the check itself. Bounded, and holds nothing the caller does not already hold.
const parsedKeys = new Map<string, Key>()

/** Decodes a secret by its prefix. A secret that does not decode is misuse, reported without its value. */
function parseSecret(secret: string): Key {
  let key = parsedKeys.get(secret)
  // Stryker disable next-line ConditionalExpression: decoding again gives the same key (a cache miss costs time only)
  if (key === undefined) {
    key = decodeSecret(secret)
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: the bound changes memory, never a result
    if (parsedKeys.size >= 64) parsedKeys.clear()
    parsedKeys.set(secret, key)
  }
  return key
}

function decodeSecret(secret: string): Key {
  if (secret.startsWith('whsk_') || secret.startsWith('whpk_')) {
    const raw = decodeStrict(secret.slice(5), 'base64')
    try {
      // Stryker disable next-line OptionalChaining: an undecodable key throws inside the try, which ends in the same misuse error
      if (secret.startsWith('whpk_') && raw?.byteLength === 32) {
        return { kind: 'ed25519-public', key: publicKeyFromRaw(raw) }
      }
      // Stryker disable next-line OptionalChaining: an undecodable key throws inside the try, which ends in the same misuse error
      if (secret.startsWith('whsk_') && (raw?.byteLength === 32 || raw?.byteLength === 64)) {
        const key = createPrivateKey({
          key: Buffer.concat([PKCS8_ED25519, raw.subarray(0, 32)]),
          format: 'der',
          type: 'pkcs8',
        })
        const publicKey = createPublicKey(key)
        // A 64-byte key carries its public half: it must be the one the seed derives.
        const derived = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')
        if (raw.byteLength === 32 || derived.equals(raw.subarray(32))) {
          return { kind: 'ed25519-private', key, publicKey }
        }
      }
    } catch {
      // Falls through to the misuse error below.
    }
    return invalidOption('secret', ACCEPTED_SECRETS, undefined, { secret: true })
  }
  const text = secret.startsWith('whsec_') ? secret.slice(6) : secret
  // The JavaScript and Python libraries accept a key whose base64 padding is left off (all of
  // it or part of it) and sign with the padded key. Only padding may be missing: the padded
  // text must still be canonical base64.
  const key = decodeStrict(text.padEnd(Math.ceil(text.length / 4) * 4, '='), 'base64')
  if (key === undefined || key.byteLength === 0) {
    return invalidOption('secret', ACCEPTED_SECRETS, undefined, { secret: true })
  }
  return { kind: 'hmac', key, secretKey: createSecretKey(key) }
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' })
}
