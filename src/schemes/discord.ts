import { sign as edSign, verify as edVerify } from 'node:crypto'
import { checkTimestamp, defineScheme, parseTimestamp } from './define.js'
import { generateKeyPair, keyFrom } from './keys.js'
import type { SignOptions, VerifyOptions } from './types.js'

const SIGNATURE = 'x-signature-ed25519'
const TIMESTAMP = 'x-signature-timestamp'

/**
 * Discord interactions: `X-Signature-Ed25519`, a hex Ed25519 signature over
 * `"<X-Signature-Timestamp><raw body>"`. Sign with the private key (64 hex characters, the
 * seed; or PEM), verify with the application's public key as the Developer Portal shows it
 * (64 hex characters; or PEM). `generateSecret()` returns such a pair. Matches
 * `discord-interactions`' `verifyKey`, which checks no timestamp age: pass `tolerance` to check it.
 * Discord sends the signature as lower-case hex; upper case is accepted too, as there.
 *
 * @example
 * const { signSecret, verifySecret } = discord.generateSecret()
 * const { headers, body } = discord.sign({ payload: { type: 1 }, secret: signSecret })
 * discord.verify({ headers: req.headers, body: rawBody, secret: verifySecret }) // { ok: true, … }
 */
export const discord = defineScheme<SignOptions, VerifyOptions>({
  name: 'discord',
  headers: [SIGNATURE, TIMESTAMP],
  generateSecret: () => generateKeyPair('ed25519'),
  sign({ options, bodyBytes, timestamp }) {
    const key = keyFrom(options.secret, 'ed25519', 'private')
    const message = Buffer.concat([Buffer.from(String(timestamp)), bodyBytes])
    return {
      [SIGNATURE]: edSign(null, message, key).toString('hex'),
      [TIMESTAMP]: String(timestamp),
    }
  },
  verify(ctx) {
    const keys = ctx.secrets.map((secret) => keyFrom(secret, 'ed25519', 'public'))
    const signature = ctx.header(SIGNATURE)
    if (!signature) return ctx.fail('missing_header', 'The X-Signature-Ed25519 header is missing.')
    const text = ctx.header(TIMESTAMP)
    if (!text) return ctx.fail('missing_header', 'The X-Signature-Timestamp header is missing.')
    const timestamp = parseTimestamp(text)
    if (timestamp === undefined) {
      return ctx.fail('malformed_header', 'The X-Signature-Timestamp header is not Unix seconds.')
    }
    // Hex in either case, as discord-interactions decodes it (Ed25519 signatures are not
    // malleable, so the case changes nothing about what was signed). Non-hex characters, which
    // its parseInt-based decoder reads as some byte anyway, are refused.
    if (!/^[0-9a-fA-F]{128}$/.test(signature)) {
      return ctx.fail('bad_signature', 'The signature is not 64 bytes of hex.')
    }
    const bytes = Buffer.from(signature, 'hex')
    const message = Buffer.concat([Buffer.from(text), ctx.body])
    // Every key is tried, so which one matched does not show in the timing.
    let matched = -1
    keys.forEach((key, index) => {
      if (edVerify(null, message, key, bytes) && matched === -1) matched = index
    })
    if (matched === -1) {
      return ctx.fail('bad_signature', 'The signature does not match the body and public key.')
    }
    const failure = ctx.options.tolerance === undefined ? undefined : checkTimestamp(ctx, timestamp)
    return failure ?? ctx.ok(matched, { timestamp })
  },
})
