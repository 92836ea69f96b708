import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring'
import { digest, hmac, safeEqual, safeIncludes } from '../crypto.js'
import { invalidOption } from '../errors.js'
import { defineScheme } from './define.js'
import type { Payload, Scheme, SignOptions, SignedRequest, VerifyOptions } from './types.js'

const HEADER = 'x-twilio-signature'

export interface TwilioSignOptions extends SignOptions {
  /**
   * The form fields: an object of strings, numbers, booleans or arrays of them (repeated
   * fields), or an `application/x-www-form-urlencoded` string or bytes. With `format: 'json'`,
   * any payload.
   */
  payload: Payload
  /** The full URL Twilio calls, with its query string. Twilio signs it. */
  url: string
  /**
   * `'form'` (default): a form post, signed as URL + sorted fields. `'json'`: a JSON body,
   * protected by `bodySHA256=<hex sha256>` added to the URL, and only the URL is signed.
   */
  format?: 'form' | 'json'
}

export interface TwilioVerifyOptions extends VerifyOptions {
  /**
   * The full URL Twilio called, with its query string (and `bodySHA256` for JSON bodies),
   * as configured in the Twilio console: behind a proxy, the public URL, not the internal one.
   */
  url: string
}

/** A signed Twilio request: send it to `url`, which carries `bodySHA256` for JSON bodies. */
export interface TwilioSignedRequest extends SignedRequest {
  url: string
}

/** The Twilio scheme: `sign` also returns the URL to call. */
export type TwilioScheme = Omit<Scheme<TwilioSignOptions, TwilioVerifyOptions>, 'sign'> & {
  sign(options: TwilioSignOptions): TwilioSignedRequest
}

/**
 * Twilio: `X-Twilio-Signature`, a base64 HMAC-SHA1 keyed by the auth token over the full URL
 * followed by each POST field name and value, sorted by name. JSON bodies are instead hashed
 * into the URL as `bodySHA256=<hex>` and only the URL is signed. Matches the `twilio` package's
 * `validateRequest`, `validateRequestWithBody` and `getExpectedTwilioSignature`, including its
 * retries with and without the default port. No timestamp: Twilio signs none.
 *
 * Twilio signs the decoded fields, not the bytes: two encodings of the same fields (`+` or a
 * space, `%2b` or `%2B`) verify alike, as they do with the official library.
 *
 * @example
 * const url = 'https://example.com/sms'
 * const { headers, body } = twilio.sign({ payload: { From: '+15550100', Body: 'hi' }, secret: authToken, url })
 * twilio.verify({ headers: req.headers, body: rawBody, secret: authToken, url }) // { ok: true, … }
 */
export const twilio: TwilioScheme = (() => {
  const base = defineScheme<TwilioSignOptions, TwilioVerifyOptions>({
    name: 'twilio',
    headers: [HEADER],
    sign({ options, body, bodyBytes }) {
      const format = signFormat(options)
      const url = signedUrl(options.url, format, bodyBytes)
      const params = format === 'json' ? [] : formFields(body)
      return {
        [HEADER]: signature(options.secret, url, params),
        'content-type':
          format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      }
    },
    verify(ctx) {
      const url = requireUrl(ctx.options.url, 'twilio.verify')
      const header = ctx.header(HEADER)
      if (!header) return ctx.fail('missing_header', 'The X-Twilio-Signature header is missing.')
      const bodyHash = new URL(url).searchParams.get('bodySHA256')
      const params = bodyHash === null ? formFields(ctx.body) : []
      const urls = candidateUrls(url)
      // Compare base64 text, as the official library does, so any changed character fails.
      const expected = ctx.secrets.flatMap((secret) =>
        urls.map((candidate) => Buffer.from(signature(secret, candidate, params), 'utf8')),
      )
      const index = safeIncludes(expected, Buffer.from(header, 'utf8'))
      if (index === -1) {
        return ctx.fail('bad_signature', 'The signature does not match the URL, body and token.')
      }
      if (bodyHash !== null) {
        const actual = Buffer.from(digest('sha256', ctx.body).toString('hex'), 'utf8')
        if (!safeEqual(actual, Buffer.from(bodyHash, 'utf8'))) {
          return ctx.fail('bad_signature', 'The body does not match bodySHA256 in the URL.')
        }
      }
      return ctx.ok(Math.floor(index / urls.length))
    },
  })
  return {
    ...base,
    sign(options: TwilioSignOptions): TwilioSignedRequest {
      // Not an object: let the common checks throw their message.
      if (options === null || typeof options !== 'object') return base.sign(options) as never
      const format = signFormat(options)
      const signed = base.sign(
        format === 'form' ? { ...options, payload: formBody(options.payload) } : options,
      )
      const bytes = typeof signed.body === 'string' ? Buffer.from(signed.body) : signed.body
      return { ...signed, url: signedUrl(options.url, format, bytes) }
    },
  }
})()

function requireUrl(url: unknown, where: string): string {
  if (typeof url !== 'string' || !URL.canParse(url)) {
    invalidOption(
      `${where}({ url })`,
      'the full URL Twilio calls, such as "https://example.com/sms?id=1"',
      url,
    )
  }
  return url
}

function signFormat(options: TwilioSignOptions): 'form' | 'json' {
  const format = options.format ?? 'form'
  if (format !== 'form' && format !== 'json') {
    invalidOption('twilio.sign({ format })', '"form" or "json"', format)
  }
  return format
}

/** For JSON bodies Twilio appends the body's hash to the URL it signs and calls. */
function signedUrl(url: unknown, format: 'form' | 'json', body: Uint8Array): string {
  const checked = requireUrl(url, 'twilio.sign')
  if (format === 'form') return checked
  const hash = digest('sha256', body).toString('hex')
  return `${checked}${checked.includes('?') ? '&' : '?'}bodySHA256=${hash}`
}

/** Form fields as a urlencoded body; strings and bytes are taken as already encoded. */
function formBody(payload: Payload): Payload {
  if (payload === null || typeof payload !== 'object' || payload instanceof Uint8Array) {
    return payload
  }
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(payload)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (!['string', 'number', 'boolean'].includes(typeof item)) {
        invalidOption(
          `twilio.sign({ payload: { ${key} } })`,
          'form fields: strings, numbers, booleans or arrays of them (or `format: "json"` to send JSON)',
          item,
        )
      }
      form.append(key, String(item))
    }
  }
  return form.toString()
}

/**
 * The form fields of a body, grouped by name. Objects are taken as fields; strings and bytes
 * are parsed as `application/x-www-form-urlencoded`, the way Express's `urlencoded()` does.
 */
function formFields(body: string | Uint8Array): Array<[string, string[]]> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8')
  const grouped = new Map<string, string[]>()
  for (const [key, value] of new URLSearchParams(text)) {
    const list = grouped.get(key)
    if (list) list.push(value)
    else grouped.set(key, [value])
  }
  return [...grouped]
}

/**
 * URL, then each field name and value sorted by name; a repeated name's values are
 * de-duplicated and sorted, as the official library does.
 */
function signature(token: string, url: string, fields: Array<[string, string[]]>): string {
  let data = url
  for (const [key, values] of [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const value of [...new Set(values)].sort()) data += key + value
  }
  return hmac('sha1', token, data).toString('base64')
}

/**
 * The URLs the official `validateRequest` accepts for one request: as received, with and
 * without the scheme's default port (proxies add or drop it), then the `new URL()`-normalised
 * forms, with the query string re-encoded as Node's legacy `querystring` would.
 */
function candidateUrls(url: string): string[] {
  const normalized = new URL(url).toString()
  const legacy = (u: string) => {
    const q = u.indexOf('?')
    if (q === -1 || q === u.length - 1) return u
    return `${u.slice(0, q)}?${stringifyQuery(parseQuery(u.slice(q + 1)))}`
  }
  const all = [
    withoutPort(url),
    withPort(url),
    withoutPort(normalized),
    withPort(normalized),
    legacy(withoutPort(normalized)),
    legacy(withPort(normalized)),
  ]
  return [...new Set(all)]
}

interface UrlParts {
  scheme: string
  userInfo: string
  host: string
  port: string
  rest: string
}

/** Splits without normalising, so the path and query keep the characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url)
  if (!match) return undefined
  const [prefix, scheme, authority] = match as unknown as [string, string, string]
  const at = authority.lastIndexOf('@')
  const hostAndPort = authority.slice(at + 1)
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const colon = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1)
  return {
    scheme,
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostAndPort : hostAndPort.slice(0, colon),
    port: colon === -1 ? '' : hostAndPort.slice(colon),
    rest: url.slice(prefix.length),
  }
}

function withoutPort(url: string): string {
  const p = splitUrl(url)
  return p ? p.scheme + p.userInfo + p.host + p.rest : url
}

function withPort(url: string): string {
  const p = splitUrl(url)
  if (!p || p.port) return url
  const port = p.scheme.toLowerCase() === 'https://' ? ':443' : ':80'
  return p.scheme + p.userInfo + p.host + port + p.rest
}
