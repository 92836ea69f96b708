import { sign as ecSign, verify as ecVerify } from 'node:crypto'
import { decodeStrict } from '../crypto.js'
import { checkTimestamp, defineScheme, parseTimestamp } from './define.js'
import { generateKeyPair, keyFrom } from './keys.js'
import type { SignOptions, VerifyOptions } from './types.js'

const SIGNATURE = 'x-twilio-email-event-webhook-signature'
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp'

/**
 * SendGrid Event Webhook (signed): `X-Twilio-Email-Event-Webhook-Signature`, a base64 DER
 * ECDSA P-256 / SHA-256 signature over `"<X-Twilio-Email-Event-Webhook-Timestamp><raw body>"`.
 * Verify with the verification key from Mail Settings (base64 SPKI DER, or PEM); sign with the
 * matching private key (base64 PKCS#8 DER, or PEM). `generateSecret()` returns such a pair.
 * Matches `@sendgrid/eventwebhook`'s `verifySignature`, which checks no timestamp age: pass
 * `tolerance` to check it.
 *
 * @example
 * const { signSecret, verifySecret } = sendgrid.generateSecret()
 * const { headers, body } = sendgrid.sign({ payload: [{ event: 'delivered' }], secret: signSecret })
 * sendgrid.verify({ headers: req.headers, body: rawBody, secret: verifySecret }) // { ok: true, … }
 */
export const sendgrid = defineScheme<SignOptions, VerifyOptions>({
  name: 'sendgrid',
  headers: [SIGNATURE, TIMESTAMP],
  // Stryker disable next-line StringLiteral: generateKeyPair makes a P-256 pair for every kind but 'ed25519'
  generateSecret: () => generateKeyPair('p256'),
  sign({ options, bodyBytes, timestamp }) {
    const key = keyFrom(options.secret, 'p256', 'private')
    const message = Buffer.concat([Buffer.from(String(timestamp)), bodyBytes])
    return {
      [SIGNATURE]: ecSign('sha256', message, { key, dsaEncoding: 'der' }).toString('base64'),
      [TIMESTAMP]: String(timestamp),
    }
  },
  verify(ctx) {
    const keys = ctx.secrets.map((secret) => keyFrom(secret, 'p256', 'public'))
    const signature = ctx.header(SIGNATURE)
    if (!signature) {
      return ctx.fail(
        'missing_header',
        'The X-Twilio-Email-Event-Webhook-Signature header is missing.',
      )
    }
    const text = ctx.header(TIMESTAMP)
    if (!text) {
      return ctx.fail(
        'missing_header',
        'The X-Twilio-Email-Event-Webhook-Timestamp header is missing.',
      )
    }
    const timestamp = parseTimestamp(text)
    if (timestamp === undefined) {
      return ctx.fail(
        'malformed_header',
        'The X-Twilio-Email-Event-Webhook-Timestamp header is not Unix seconds.',
      )
    }
    // Only canonical base64: the unused low bits of the last character would otherwise let a
    // changed header decode to the same signature.
    const bytes = decodeStrict(signature, 'base64')
    if (!bytes || bytes.toString('base64') !== signature) {
      return ctx.fail('bad_signature', 'The signature is not base64.')
    }
    const message = Buffer.concat([Buffer.from(text), ctx.body])
    let matched = -1
    keys.forEach((key, index) => {
      if (verifies(message, key, bytes) && matched === -1) matched = index
    })
    if (matched === -1) {
      return ctx.fail('bad_signature', 'The signature does not match the body and public key.')
    }
    const failure = ctx.options.tolerance === undefined ? undefined : checkTimestamp(ctx, timestamp)
    return failure ?? ctx.ok(matched, { timestamp })
  },
})

function verifies(
  message: Buffer,
  key: Parameters<typeof ecVerify>[2],
  signature: Buffer,
): boolean {
  try {
    return ecVerify('sha256', message, key, signature)
  } catch {
    // OpenSSL refuses some non-DER input by throwing rather than returning false. (Node 20 was
    // found to throw for none: empty, short, long and broken DER all return false.)
    // Stryker disable next-line BooleanLiteral: no input reaches this line on Node 20 (above); kept for OpenSSL builds that throw
    return false
  }
}
