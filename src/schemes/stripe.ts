import { randomBytes } from 'node:crypto'
import { hmac, matchHmac } from '../crypto.js'
import { checkTimestamp, defineScheme } from './define.js'
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
    // Parsed as stripe-node's parseHeader: items split on "," and each item on "=", with no
    // trimming, so "t=…, v1=…" (a space after the comma) has no v1, and of two headers joined
    // by ", " only the first one's t counts (the second is " t"). The last "t" item wins and a
    // value runs to the next "=". A bare "t" (no "=") reads as NaN; a "v1" with no value fails
    // the whole header (stripe-node's secureCompare throws on an empty or undefined signature).
    let timestamp: number | undefined
    let emptyV1 = false
    const v1: Buffer[] = []
    let otherSchemes = 0
    for (const item of header.split(',')) {
      // At most two parts: stripe-node reads kv[0] and kv[1], and a hostile item of many "="
      // makes no array of them.
      const kv = item.split('=', 2)
      const key = kv[0]!
      const value = kv[1] ?? ''
      if (key === 't') timestamp = parseStripeTimestamp(value)
      else if (key === 'v1' && value === '') emptyV1 = true
      else if (key === 'v1') v1.push(Buffer.from(value))
      else if (/^v\d+$/.test(key)) otherSchemes++
    }
    if (emptyV1) {
      return ctx.fail('malformed_header', 'The Stripe-Signature header has an empty v1 signature.')
    }
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

/**
 * The timestamp as stripe-node reads it, `parseInt(text, 10)`: leading whitespace and a sign
 * allowed, trailing text ignored, and the number (not the text) signed as "<t>.". stripe-node
 * treats -1 as "no timestamp"; NaN and other negative numbers it would sign as "NaN." and
 * "-5.", so that a NaN timestamp never expires: those are refused here (docs/schemes.md).
 */
function parseStripeTimestamp(text: string): number | undefined {
  const value = Number.parseInt(text, 10)
  return value >= 0 && Number.isSafeInteger(value) ? value : undefined
}
