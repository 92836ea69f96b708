import { randomBytes } from 'node:crypto'
import { hmac, matchHmac } from '../crypto.js'
import { checkTimestamp, defineScheme, eachHeaderPair, parseTimestamp } from './define.js'
import type { SignOptions, VerifyOptions } from './types.js'

const HEADER = 'stripe-signature'

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex hmac-sha256>[,v1=…]`, an HMAC-SHA256 keyed with the
 * whole `whsec_…` string over `"<t>.<raw body>"`. Matches `stripe.webhooks.constructEvent` and
 * `generateTestHeaderString`: tolerance 300 s, only too-old timestamps refused, any `v1` may match.
 *
 * @example
 * const { headers, body } = stripe.sign({ payload: event, secret: 'whsec_test' })
 * stripe.verify({ headers: req.headers, body: rawBody, secret: 'whsec_test' }) // { ok: true, … }
 */
export const stripe = defineScheme<SignOptions, VerifyOptions>({
  name: 'stripe',
  headers: [HEADER],
  tolerance: 300,
  generateSecret() {
    const secret = `whsec_${randomBytes(24).toString('base64url')}`
    return { signSecret: secret, verifySecret: secret }
  },
  sign({ options, bodyBytes, timestamp }) {
    const signature = hmac('sha256', options.secret, `${timestamp}.`, bodyBytes).toString('hex')
    return { [HEADER]: `t=${timestamp},v1=${signature}` }
  },
  verify(ctx) {
    const header = ctx.header(HEADER)
    if (!header) return ctx.fail('missing_header', 'The Stripe-Signature header is missing.')
    let timestamp: number | undefined
    const v1: Buffer[] = []
    let otherSchemes = 0
    eachHeaderPair(header, ',', '=', (rawKey, rawValue) => {
      const key = rawKey.trim()
      if (key === 't') timestamp = parseTimestamp(rawValue.trim())
      else if (key === 'v1') v1.push(Buffer.from(rawValue.trim(), 'utf8'))
      else if (/^v\d+$/.test(key)) otherSchemes++
    })
    if (timestamp === undefined) {
      return ctx.fail('malformed_header', 'The Stripe-Signature header has no valid t=<timestamp>.')
    }
    if (v1.length === 0) {
      return otherSchemes > 0
        ? ctx.fail('unsupported_version', 'The Stripe-Signature header has no v1 signature.')
        : ctx.fail('malformed_header', 'The Stripe-Signature header has no v1=<signature>.')
    }
    // Stripe signs "<t>.<raw body>"; compare hex text so any changed character is bad_signature.
    const matched = matchHmac('sha256', 'hex', ctx.secrets, v1, `${timestamp}.`, ctx.body)
    if (matched === -1) {
      return ctx.fail('bad_signature', 'No v1 signature matches the body and secret.')
    }
    return checkTimestamp(ctx, timestamp, { future: false }) ?? ctx.ok(matched, { timestamp })
  },
})
