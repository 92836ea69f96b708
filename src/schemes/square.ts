import { hmac } from './hmac.js'

/**
 * Square: `X-Square-HmacSha256-Signature`, a base64 HMAC-SHA256 keyed by the subscription's
 * signature key over the notification URL followed by the raw body. Pass the notification URL
 * exactly as configured in Square as `url` to sign and verify. Matches the `square` SDK's
 * `WebhooksHelper.verifySignature` (checked against the vectors in its own tests). No timestamp.
 *
 * @example
 * const url = 'https://example.com/square'
 * const { headers, body } = square.sign({ payload: event, secret: signatureKey, url })
 * square.verify({ headers: req.headers, body: rawBody, secret: signatureKey, url }) // { ok: true, … }
 */
export const square = hmac.with({
  name: 'square',
  header: 'X-Square-HmacSha256-Signature',
  encoding: 'base64',
  template: '{url}{body}',
})
