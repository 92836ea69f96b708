import { randomBytes } from 'node:crypto'
import { hmac, matchHmac } from '../crypto.js'
import { checkMilliseconds, defineScheme, parseTimestamp } from './define.js'
import type { SignOptions, VerifyOptions } from './types.js'

const HEADER = 'paddle-signature'

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex hmac-sha256>[;h1=…]`, an HMAC-SHA256
 * keyed with the whole endpoint secret key (`pdl_ntfset_…`) over `"<ts>:<raw body>"`. Matches
 * `@paddle/paddle-node-sdk`'s `Webhooks.unmarshal` and `isSignatureValid`: the header split on `;`
 * and `=` untrimmed, tolerance 5 s compared in milliseconds, only too-old timestamps refused. Any `h1` may match, as Paddle sends two during a secret rotation.
 *
 * @example
 * const { headers, body } = paddle.sign({ payload: event, secret: 'pdl_ntfset_…' })
 * paddle.verify({ headers: req.headers, body: rawBody, secret: 'pdl_ntfset_…' }) // { ok: true, … }
 */
export const paddle = defineScheme<SignOptions, VerifyOptions>({
  name: 'paddle',
  headers: [HEADER],
  tolerance: 5,
  generateSecret() {
    const secret = `pdl_ntfset_${randomBytes(13).toString('hex')}_${randomBytes(24).toString('base64url')}`
    return { signSecret: secret, verifySecret: secret }
  },
  sign({ options, bodyBytes, timestamp }) {
    const signature = hmac('sha256', options.secret, `${timestamp}:`, bodyBytes).toString('hex')
    return { [HEADER]: `ts=${timestamp};h1=${signature}` }
  },
  verify(ctx) {
    const header = ctx.header(HEADER)
    if (!header) return ctx.fail('missing_header', 'The Paddle-Signature header is missing.')
    let timestamp: number | undefined
    const h1: Buffer[] = []
    for (const item of header.split(';')) {
      // Untrimmed, as the SDK splits it ("ts=…; h1=…" has no h1), and an item with no value
      // skipped, as the SDK skips it. Unlike the SDK, a value runs to the end of the item, so
      // "h1=<hex>=junk" is not <hex> (docs/schemes.md, agreement-b.test.ts).
      const eq = item.indexOf('=')
      const value = eq === -1 ? '' : item.slice(eq + 1)
      if (value === '') continue
      const key = item.slice(0, eq)
      if (key === 'ts') timestamp = parseTimestamp(value)
      else if (key === 'h1') h1.push(Buffer.from(value))
    }
    if (timestamp === undefined) {
      return ctx.fail(
        'malformed_header',
        'The Paddle-Signature header has no valid ts=<timestamp>.',
      )
    }
    if (h1.length === 0) {
      return ctx.fail('malformed_header', 'The Paddle-Signature header has no h1=<signature>.')
    }
    // Paddle signs "<ts>:<raw body>"; compare hex text so any changed character is bad_signature.
    const matched = matchHmac('sha256', 'hex', ctx.secrets, h1, `${timestamp}:`, ctx.body)
    if (matched === -1) {
      return ctx.fail('bad_signature', 'No h1 signature matches the body and secret key.')
    }
    // In milliseconds, as the SDK compares `Date.now()` with `(ts + 5) * 1000`.
    const failure = checkMilliseconds(ctx, timestamp * 1000, { future: false })
    return failure ?? ctx.ok(matched, { timestamp })
  },
})
