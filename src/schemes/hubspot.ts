import { hmac } from './hmac.js'

/**
 * HubSpot (signature v3): `X-HubSpot-Signature-v3`, a base64 HMAC-SHA256 keyed by the app's
 * client secret over `"POST<url><raw body><X-HubSpot-Request-Timestamp>"`, the timestamp in
 * Unix milliseconds. Pass the full URL HubSpot called as `url`. Matches the computation and the
 * 300 s "older than" check of `@hubspot/api-client`'s `Signature.isValid({ signatureVersion: 'v3' })`,
 * in milliseconds as there (300,500 ms old is refused; a timestamp from the future is accepted).
 *
 * @example
 * const url = 'https://example.com/hubspot'
 * const { headers, body } = hubspot.sign({ payload: events, secret: clientSecret, url })
 * hubspot.verify({ headers: req.headers, body: rawBody, secret: clientSecret, url }) // { ok: true, … }
 */
export const hubspot = hmac.with({
  name: 'hubspot',
  header: 'X-HubSpot-Signature-v3',
  encoding: 'base64',
  template: 'POST{url}{body}{timestamp}',
  timestampHeader: 'X-HubSpot-Request-Timestamp',
  timestampUnit: 'ms',
  tolerance: 300,
  allowFuture: true,
})
