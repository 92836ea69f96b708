import { hmac, matchHmac } from '../crypto.js'
import { checkTimestamp, defineScheme, parseTimestamp } from './define.js'
import type { SignOptions, VerifyOptions } from './types.js'

const SIGNATURE = 'x-slack-signature'
const TIMESTAMP = 'x-slack-request-timestamp'

/**
 * Slack: `X-Slack-Signature: v0=<hex hmac-sha256 of "v0:<timestamp>:<raw body>">` with the
 * timestamp in `X-Slack-Request-Timestamp`, keyed with the app's signing secret. Tolerance 300 s
 * in both directions, as Slack's docs and the Python `slack_sdk` check it (`abs(now - ts) > 300`);
 * Bolt for JavaScript refuses only stale ones, so a future timestamp that Bolt lets through is
 * reported here as `timestamp_in_future`.
 *
 * @example
 * const { headers, body } = slack.sign({ payload: 'token=…&command=%2Fdeploy', secret })
 * slack.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, … }
 */
export const slack = defineScheme<SignOptions, VerifyOptions>({
  name: 'slack',
  headers: [SIGNATURE, TIMESTAMP],
  tolerance: 300,
  sign({ options, bodyBytes, timestamp }) {
    const signature = hmac('sha256', options.secret, `v0:${timestamp}:`, bodyBytes).toString('hex')
    return { [SIGNATURE]: `v0=${signature}`, [TIMESTAMP]: String(timestamp) }
  },
  verify(ctx) {
    const header = ctx.header(SIGNATURE)
    if (!header) return ctx.fail('missing_header', 'The X-Slack-Signature header is missing.')
    const timestampText = ctx.header(TIMESTAMP)
    if (!timestampText) {
      return ctx.fail('missing_header', 'The X-Slack-Request-Timestamp header is missing.')
    }
    const timestamp = parseTimestamp(timestampText)
    if (timestamp === undefined) {
      return ctx.fail(
        'malformed_header',
        'The X-Slack-Request-Timestamp header is not a number of Unix seconds.',
      )
    }
    const eq = header.indexOf('=')
    // Stryker disable next-line EqualityOperator,StringLiteral: with "=" first the slice is '' too; any text not v<digits> is malformed alike
    const version = eq > 0 ? header.slice(0, eq) : ''
    if (version !== 'v0') {
      return /^v\d+$/.test(version)
        ? ctx.fail(
            'unsupported_version',
            `The X-Slack-Signature header is a ${version} signature, not v0.`,
          )
        : ctx.fail('malformed_header', 'The X-Slack-Signature header is not "v0=<hex digest>".')
    }
    // Slack signs "v0:<timestamp header>:<raw body>"; compare hex text so any changed character is bad_signature.
    // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
    const candidate = Buffer.from(header.slice(eq + 1), 'utf8')
    const signed = `v0:${timestampText}:`
    const matched = matchHmac('sha256', 'hex', ctx.secrets, candidate, signed, ctx.body)
    if (matched === -1) {
      return ctx.fail('bad_signature', 'The v0 signature does not match the body and secret.')
    }
    return checkTimestamp(ctx, timestamp) ?? ctx.ok(matched, { timestamp })
  },
})
