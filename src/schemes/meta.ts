import { hmac } from './hmac.js'

/**
 * Meta (Facebook, Instagram, WhatsApp Cloud API webhooks): `X-Hub-Signature-256:
 * sha256=<hex hmac-sha256>` keyed by the app secret over the raw body, exactly as Meta sent it
 * (Meta escapes non-ASCII characters as `\uXXXX` in the JSON it signs). No timestamp.
 *
 * @example
 * const { headers, body } = meta.sign({ payload: event, secret: appSecret })
 * meta.verify({ headers: req.headers, body: rawBody, secret: appSecret }) // { ok: true, … }
 */
export const meta = hmac.with({ name: 'meta', header: 'X-Hub-Signature-256', prefix: 'sha256=' })
