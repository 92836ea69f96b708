import { hmac, matchHmac } from '../crypto.js'
import { checkMilliseconds, defineScheme } from './define.js'
import type { SignOptions, VerifyOptions } from './types.js'

const SIGNATURE = 'linear-signature'
const TIMESTAMP = 'linear-timestamp'
const FIELD = 'webhookTimestamp'

/**
 * Linear: `Linear-Signature`, a hex HMAC-SHA256 keyed by the webhook's signing secret over the
 * raw body, and the delivery time twice: in the signed body as `webhookTimestamp` and in a
 * `Linear-Timestamp` header (both Unix milliseconds). Verify checks them as `@linear/sdk`'s
 * `LinearWebhookClient.verify` does: the signature, then the body's `webhookTimestamp`, which
 * must be a number within 60 s of now either way. The header is not signed, so, like the SDK,
 * verify never trusts it. `sign` writes the header and adds `webhookTimestamp` to an object
 * payload that has none.
 *
 * @example
 * const { headers, body } = linear.sign({ payload: { action: 'create', type: 'Issue', data }, secret })
 * linear.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, timestamp, … }
 */
export const linear = defineScheme<SignOptions, VerifyOptions>({
  name: 'linear',
  // Only what verify needs: the timestamp header is written but never read.
  headers: [SIGNATURE],
  tolerance: 60,
  payload(payload, timestamp) {
    // Linear stamps every delivery's body; an event object without the stamp gets the sign time.
    if (typeof payload !== 'object' || payload instanceof Uint8Array || Array.isArray(payload)) {
      return payload
    }
    return FIELD in payload ? payload : { ...payload, [FIELD]: timestamp * 1000 }
  },
  sign({ options, bodyBytes, timestamp }) {
    // The header carries the same milliseconds as the body's stamp, as Linear sends them
    // (a payload given as text or bytes included).
    const stamp = bodyStamp(bodyBytes.toString())
    return {
      [SIGNATURE]: hmac('sha256', options.secret, bodyBytes).toString('hex'),
      [TIMESTAMP]: String(stamp ?? timestamp * 1000),
    }
  },
  verify(ctx) {
    const header = ctx.header(SIGNATURE)
    if (!header) return ctx.fail('missing_header', 'The Linear-Signature header is missing.')
    const matched = matchHmac('sha256', 'hex', ctx.secrets, Buffer.from(header), ctx.body)
    if (matched === -1) {
      return ctx.fail('bad_signature', 'The Linear-Signature does not match the body and secret.')
    }
    // Only now, with the body proven to come from Linear, is it parsed.
    const stamp = bodyStamp(ctx.body.toString())
    if (stamp === undefined) {
      return ctx.fail(
        'malformed_header',
        `The signed body has no numeric ${FIELD} (Unix milliseconds), which @linear/sdk requires.`,
      )
    }
    return checkMilliseconds(ctx, stamp) ?? ctx.ok(matched, { timestamp: Math.floor(stamp / 1000) })
  },
})

/** The body's `webhookTimestamp` when it is a finite number, as the SDK requires; else undefined. */
function bodyStamp(text: string): number | undefined {
  let stamp: unknown
  // Stryker disable BlockStatement: an empty catch leaves the stamp undefined, the same result
  try {
    // A body that is not JSON, and JSON null, throw here.
    stamp = (JSON.parse(text) as Record<string, unknown>)[FIELD]
  } catch {
    return undefined
  }
  // Stryker restore BlockStatement
  // Number.isFinite is false for anything that is not a number (no coercion).
  return Number.isFinite(stamp) ? (stamp as number) : undefined
}
