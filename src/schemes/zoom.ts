import { hmac } from './hmac.js'

/**
 * Zoom: `x-zm-signature: v0=<hex hmac-sha256>` keyed by the app's secret token over
 * `"v0:<x-zm-request-timestamp>:<raw body>"`, as Zoom's "Verify webhook events" docs describe.
 * Zoom publishes no tolerance: hookwright refuses timestamps more than 300 s from now (pass
 * `tolerance` to change it).
 *
 * @example
 * const { headers, body } = zoom.sign({ payload: event, secret: secretToken })
 * zoom.verify({ headers: req.headers, body: rawBody, secret: secretToken }) // { ok: true, … }
 */
export const zoom = hmac.with({
  name: 'zoom',
  header: 'x-zm-signature',
  prefix: 'v0=',
  template: 'v0:{timestamp}:{body}',
  timestampHeader: 'x-zm-request-timestamp',
  tolerance: 300,
})
