import { hmac } from './hmac.js'

/**
 * Linear: `Linear-Signature`, a hex HMAC-SHA256 keyed by the webhook's signing secret over the
 * raw body, as `@linear/sdk`'s `LinearWebhookClient.verify` checks it. Linear puts its timestamp
 * in the body (`webhookTimestamp`, milliseconds), not in a header: the SDK's one-minute check on
 * it is the handler's to make.
 *
 * @example
 * const { headers, body } = linear.sign({ payload: { ...event, webhookTimestamp: Date.now() }, secret })
 * linear.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, … }
 */
export const linear = hmac.with({ name: 'linear', header: 'Linear-Signature' })
