import { hmac } from '../crypto.js'

/** What a variant is built from: a valid signed request and how it was signed. */
export interface VariantInput {
  /** The valid request's headers, lower-case names. */
  headers: Record<string, string>
  body: Buffer
  secret: string
  /** The URL the request goes to, for schemes that sign it. */
  url?: string | undefined
}

/** Header overrides that turn a valid request into a variant, or undefined if it does not apply. */
type Variant = (input: VariantInput) => Record<string, string> | undefined

/**
 * The per-scheme part of the attack generator: how each scheme writes its version tag and its
 * algorithm, so a case can present a real signature of the wrong version or of another
 * algorithm (the "algorithm confusion" bug: trusting the header to say how to verify it). Every
 * other case is derived from the Scheme value alone.
 */
export const signatureVariants: Record<
  string,
  { wrongVersion?: Variant; otherAlgorithm: Variant } | undefined
> = {
  stripe: {
    // Stripe's v0 is a legacy test-mode scheme; a receiver must read only v1.
    wrongVersion: ({ headers }) =>
      rewrite(headers, 'stripe-signature', (v) => v.replace(/\bv1=/g, 'v0=')),
    otherAlgorithm: ({ headers, body, secret }) =>
      rewrite(headers, 'stripe-signature', (v) => {
        const t = /(?:^|,)t=(\d+)/.exec(v)?.[1]
        return t === undefined
          ? undefined
          : `t=${t},v1=${hmac('sha1', secret, `${t}.`, body).toString('hex')}`
      }),
  },
  github: {
    // A receiver that picks the algorithm from the prefix accepts a SHA-1 in the SHA-256 header.
    otherAlgorithm: ({ headers, body, secret }) =>
      rewrite(
        headers,
        'x-hub-signature-256',
        () => `sha1=${hmac('sha1', secret, body).toString('hex')}`,
      ),
  },
  standardWebhooks: {
    wrongVersion: ({ headers }) =>
      rewriteAny(headers, ['webhook-signature', 'svix-signature'], (v) =>
        v.replace(/\bv1,/g, 'v2,'),
      ),
    otherAlgorithm: ({ headers, body, secret }) => {
      const id = headers['webhook-id'] ?? headers['svix-id']
      const ts = headers['webhook-timestamp'] ?? headers['svix-timestamp']
      if (id === undefined || ts === undefined || secret.startsWith('whsk_')) return undefined
      // Stryker disable next-line Regex: base64 has no '_', so whsec_ can only be the prefix
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
      const sig = hmac('sha1', key, `${id}.${ts}.`, body).toString('base64')
      return rewriteAny(headers, ['webhook-signature', 'svix-signature'], () => `v1,${sig}`)
    },
  },
  shopify: {
    otherAlgorithm: ({ headers, body, secret }) =>
      rewriteAny(headers, ['shopify-hmac-sha256', 'x-shopify-hmac-sha256'], () =>
        hmac('sha1', secret, body).toString('base64'),
      ),
  },
  slack: {
    wrongVersion: ({ headers }) =>
      // Stryker disable next-line Regex: the hex after v0= has no 'v', so v0= can only be the prefix
      rewrite(headers, 'x-slack-signature', (v) => v.replace(/^v0=/, 'v1=')),
    otherAlgorithm: ({ headers, body, secret }) => {
      const ts = headers['x-slack-request-timestamp']
      if (ts === undefined) return undefined
      const sig = hmac('sha1', secret, `v0:${ts}:`, body).toString('hex')
      return rewrite(headers, 'x-slack-signature', () => `v0=${sig}`)
    },
  },
  twilio: {
    // Twilio signs with SHA-1; a SHA-256 of the same text must not pass.
    otherAlgorithm: ({ headers, body, secret, url }) => {
      if (url === undefined) return undefined
      const isForm = (headers['content-type'] ?? '').includes('x-www-form-urlencoded')
      let content = url
      if (isForm) {
        const params = [...new URLSearchParams(body.toString('utf8'))].sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        )
        for (const [k, v] of params) content += k + v
      }
      return rewrite(headers, 'x-twilio-signature', () =>
        hmac('sha256', secret, content).toString('base64'),
      )
    },
  },
}

// Svix is Standard Webhooks under its own header names, which the variants already read.
signatureVariants.svix = signatureVariants.standardWebhooks

function rewrite(
  headers: Record<string, string>,
  name: string,
  change: (value: string) => string | undefined,
): Record<string, string> | undefined {
  const value = headers[name]
  if (value === undefined) return undefined
  const next = change(value)
  return next === undefined || next === value ? undefined : { [name]: next }
}

function rewriteAny(
  headers: Record<string, string>,
  names: readonly string[],
  change: (value: string) => string | undefined,
): Record<string, string> | undefined {
  const name = names.find((n) => headers[n] !== undefined)
  // Stryker disable next-line ConditionalExpression: rewrite() finds no header named undefined and returns undefined too
  return name === undefined ? undefined : rewrite(headers, name, change)
}
