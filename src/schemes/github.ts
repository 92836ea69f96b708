import { randomUUID } from 'node:crypto'
import { hmac, matchHmac } from '../crypto.js'
import { invalidOption } from '../errors.js'
import { defineScheme } from './define.js'
import type { SignOptions, VerifyOptions } from './types.js'

const HEADER_SHA256 = 'x-hub-signature-256'
const HEADER_SHA1 = 'x-hub-signature'

export interface GithubSignOptions extends SignOptions {
  /** Also write the legacy `X-Hub-Signature: sha1=…` header, as GitHub still does. */
  legacy?: boolean
  /** The event name for `X-GitHub-Event` (`push`, `pull_request`…); omitted when not given. */
  event?: string
}

export interface GithubVerifyOptions extends VerifyOptions {
  /** Which header to check: `sha256` (`X-Hub-Signature-256`, the default) or the legacy `sha1`. */
  algorithm?: 'sha256' | 'sha1'
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex hmac-sha256 of the raw body>`, keyed with the
 * webhook secret as UTF-8, no timestamp. Matches `@octokit/webhooks-methods` `sign`/`verify`.
 * The legacy `X-Hub-Signature: sha1=…` is written with `legacy: true` and checked with
 * `algorithm: 'sha1'`; sha256 is the default because GitHub recommends it.
 *
 * @example
 * const { headers, body } = github.sign({ payload: pushEvent, secret, event: 'push' })
 * github.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, … }
 */
export const github = defineScheme<GithubSignOptions, GithubVerifyOptions>({
  name: 'github',
  // Only the header verify needs by default: the legacy one is optional (`legacy`, `algorithm`).
  headers: [HEADER_SHA256],
  sign({ options, bodyBytes }) {
    const headers: Record<string, string> = {
      [HEADER_SHA256]: `sha256=${hmac('sha256', options.secret, bodyBytes).toString('hex')}`,
    }
    if (options.legacy === true) {
      headers[HEADER_SHA1] = `sha1=${hmac('sha1', options.secret, bodyBytes).toString('hex')}`
    }
    if (options.event !== undefined) headers['x-github-event'] = options.event
    headers['x-github-delivery'] = options.id ?? randomUUID()
    return headers
  },
  verify(ctx) {
    const algorithm = ctx.options.algorithm ?? 'sha256'
    if (algorithm !== 'sha256' && algorithm !== 'sha1') {
      invalidOption('algorithm', "'sha256' or 'sha1'", algorithm)
    }
    const name = algorithm === 'sha256' ? HEADER_SHA256 : HEADER_SHA1
    const header = ctx.header(name)
    if (!header) {
      const hint =
        // Stryker disable next-line ConditionalExpression: with sha1 asked for, X-Hub-Signature is the missing header, so `algorithm === 'sha256'` as true changes nothing
        algorithm === 'sha256' && ctx.header(HEADER_SHA1)
          ? " Only the legacy X-Hub-Signature is present: pass `algorithm: 'sha1'` to check it."
          : ''
      return ctx.fail('missing_header', `The ${displayName(name)} header is missing.${hint}`)
    }
    const eq = header.indexOf('=')
    if (eq <= 0) {
      return ctx.fail(
        'malformed_header',
        `The ${displayName(name)} header is not "${algorithm}=<hex digest>".`,
      )
    }
    if (header.slice(0, eq) !== algorithm) {
      return ctx.fail(
        'unsupported_version',
        `The ${displayName(name)} header is not a ${algorithm} signature.`,
      )
    }
    // GitHub signs the raw body alone; compare hex text so any changed character is bad_signature.
    // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
    const candidate = Buffer.from(header.slice(eq + 1), 'utf8')
    const matched = matchHmac(algorithm, 'hex', ctx.secrets, candidate, ctx.body)
    if (matched === -1) {
      return ctx.fail('bad_signature', 'The signature does not match the body and secret.')
    }
    const id = ctx.header('x-github-delivery')
    return id ? ctx.ok(matched, { id }) : ctx.ok(matched)
  },
})

function displayName(header: string): string {
  return header === HEADER_SHA256 ? 'X-Hub-Signature-256' : 'X-Hub-Signature'
}
