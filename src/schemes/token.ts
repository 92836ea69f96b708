import { safeIncludes } from '../crypto.js'
import { HEADER_NAME, parseConfig, stringRule } from './config.js'
import type { OptionRule } from './config.js'
import { defineScheme } from './define.js'
import type { Scheme } from './types.js'

/** How a shared-token scheme sends its secret. */
export interface TokenConfig {
  /** The registry name the scheme reports in results (default `'token'`). */
  name?: string
  /** The header that carries the token, e.g. `'X-Gitlab-Token'` or `'Authorization'`. */
  header: string
  /** Text before the token in the header, e.g. `'Bearer '` (matched exactly). Default none. */
  prefix?: string
}

/** A shared-token scheme; `.with(config)` makes another one with a different header or prefix. */
export type TokenScheme = Scheme & {
  /** The header the token travels in, lower-case. */
  readonly header: string
  readonly prefix: string
  with(config: TokenConfig): TokenScheme
}

const tokenConfig: Record<keyof TokenConfig, OptionRule> = {
  name: stringRule('a non-empty string', { test: /^[^]+$/, accepted: 'a non-empty string' }),
  header: stringRule(
    'a header name such as "X-Gitlab-Token"',
    {
      test: HEADER_NAME,
      accepted: 'a header name such as "X-Gitlab-Token" (letters, digits and - only)',
    },
    true,
  ),
  // Header text only (a tab is allowed, as in any header value), so that the header sign makes
  // can be refused only because of the secret.
  prefix: stringRule('a string such as "Bearer "', {
    test: /^[\t\x20-\x7e\x80-\uffff]*$/,
    accepted: 'a string without control characters or line breaks, such as "Bearer "',
  }),
}

function createToken(config: TokenConfig): TokenScheme {
  const {
    name = 'token',
    header,
    prefix = '',
  } = parseConfig<TokenConfig>(tokenConfig, config, 'token.with')
  const lower = header.toLowerCase()
  const scheme = defineScheme({
    name,
    headers: [lower],
    sign: ({ options }) => ({ [lower]: `${prefix}${options.secret}` }),
    verify(ctx) {
      const value = ctx.header(lower)
      if (!value) return ctx.fail('missing_header', `The ${header} header is missing.`)
      if (!value.startsWith(prefix)) {
        return ctx.fail(
          'malformed_header',
          `The ${header} header does not start with ${JSON.stringify(prefix)}.`,
        )
      }
      // Constant time whatever the lengths, so the token cannot be guessed byte by byte.
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
      const expected = ctx.secrets.map((secret) => Buffer.from(secret, 'utf8'))
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
      const index = safeIncludes(expected, Buffer.from(value.slice(prefix.length), 'utf8'))
      if (index === -1) return ctx.fail('bad_signature', `The ${header} token does not match.`)
      return ctx.ok(index)
    },
  })
  return { ...scheme, header: lower, prefix, with: createToken }
}

/**
 * A plain shared secret sent as it is in a header: no signature, no timestamp. By default the
 * header is `X-Webhook-Token`; `token.with({ header, prefix })` makes one for another header,
 * such as `Authorization: Bearer <token>`. The token is compared in constant time, including
 * when the lengths differ. A missing header is `missing_header`, a wrong token `bad_signature`.
 *
 * @example
 * const bearer = token.with({ header: 'Authorization', prefix: 'Bearer ' })
 * const { headers, body } = bearer.sign({ payload: event, secret: 's3cret' })
 * bearer.verify({ headers: req.headers, body: rawBody, secret: 's3cret' }) // { ok: true, … }
 */
export const token: TokenScheme = createToken({ header: 'X-Webhook-Token' })

/**
 * GitLab: the secret token configured on the webhook, sent as it is in `X-Gitlab-Token`.
 * Same as `token.with({ name: 'gitlab', header: 'X-Gitlab-Token' })`.
 *
 * @example
 * gitlab.verify({ headers: req.headers, body: rawBody, secret: process.env.GITLAB_TOKEN! })
 */
export const gitlab: TokenScheme = token.with({ name: 'gitlab', header: 'X-Gitlab-Token' })
