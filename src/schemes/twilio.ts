import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring'
import { digest, digestText, hmacText, matchHmac, safeEqualText } from '../crypto.js'
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
      const fields = format === 'json' ? '' : fieldText(formFields(body))
      return {
        [HEADER]: hmacText('sha1', options.secret, 'base64', url + fields),
        'content-type':
          format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      }
    },
    verify(ctx) {
      const url = requireUrl(ctx.options.url, 'twilio.verify')
      const header = ctx.header(HEADER)
      if (!header) return ctx.fail('missing_header', 'The X-Twilio-Signature header is missing.')
      const bodyHash = bodyHashOf(url)
      const fields = bodyHash === null ? fieldText(formFields(ctx.body)) : ''
      // Compare base64 text, as the official library does, so any changed character fails.
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
      const received = Buffer.from(header, 'utf8')
      // The URL forms in the official library's order, stopping at the first that matches as it
      // does: which form matched is no secret (the URL is public), and every secret is still
      // compared for each form. The normalised forms cost a parse, so only on a miss.
      // Stryker disable next-line UnaryOperator: receivedForms returns at least one form, so the loop sets index before it is read
      let index = -1
      for (const candidate of receivedForms(url)) {
        index = matchHmac('sha1', 'base64', ctx.secrets, received, candidate + fields)
        if (index !== -1) break
      }
      if (index === -1) {
        for (const candidate of normalizedForms(url)) {
          index = matchHmac('sha1', 'base64', ctx.secrets, received, candidate + fields)
          if (index !== -1) break
        }
      }
      if (index === -1) {
        return ctx.fail('bad_signature', 'The signature does not match the URL, body and token.')
      }
      if (bodyHash !== null) {
        const actual = digestText('sha256', ctx.body, 'hex')
        // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
        if (!safeEqualText(actual, Buffer.from(bodyHash, 'utf8'))) {
          return ctx.fail('bad_signature', 'The body does not match bodySHA256 in the URL.')
        }
      }
      return ctx.ok(index)
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
      return { ...signed, url: signedUrl(options.url, format, signed.body) }
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

// Printable ASCII other than `%` and `+`: text that URL parsing and query decoding leave as is.
const PLAIN_URL = /^[\x21-\x24\x26-\x2a\x2c-\x7e]*$/

/**
 * `bodySHA256` from a URL's query, as `new URL(url).searchParams.get('bodySHA256')` reads it.
 * In a plain URL (see PLAIN_URL) the query is the text between the first `?` and the next `#`
 * and decoding changes nothing, so a scan gives the same answer without building a URL and
 * its URLSearchParams, which cost as much as the HMAC itself. Anything else goes through `URL`.
 */
function bodyHashOf(url: string): string | null {
  if (!PLAIN_URL.test(url)) return new URL(url).searchParams.get('bodySHA256')
  const start = url.indexOf('?')
  const fragment = url.indexOf('#')
  if (start === -1) return null
  // A "?" after the "#" is in the fragment: the slice is then empty, and no query is found.
  const query = url.slice(start + 1, fragment === -1 ? url.length : fragment)
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    if ((eq === -1 ? pair : pair.slice(0, eq)) === 'bodySHA256') {
      // Stryker disable next-line ConditionalExpression,StringLiteral,UnaryOperator: a bodySHA256 without "=" is no digest: '' and the name itself fail the body check alike
      return eq === -1 ? '' : pair.slice(eq + 1)
    }
  }
  return null
}

function signFormat(options: TwilioSignOptions): 'form' | 'json' {
  const format = options.format ?? 'form'
  if (format !== 'form' && format !== 'json') {
    invalidOption('twilio.sign({ format })', '"form" or "json"', format)
  }
  return format
}

/** For JSON bodies Twilio appends the body's hash to the URL it signs and calls. */
function signedUrl(url: unknown, format: 'form' | 'json', body: string | Uint8Array): string {
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
function formFields(body: string | Uint8Array): Map<string, string[]> {
  // Stryker disable next-line ConditionalExpression,StringLiteral: URLSearchParams reads a string as UTF-8 text either way ('' is UTF-8 too)
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8')
  const grouped = new Map<string, string[]>()
  for (const [key, value] of new URLSearchParams(text)) {
    const list = grouped.get(key)
    if (list) list.push(value)
    else grouped.set(key, [value])
  }
  return grouped
}

/**
 * What Twilio signs after the URL: each field name and value, names sorted as the official
 * library sorts them (`Object.keys(params).sort()`); a repeated name's values are de-duplicated
 * and sorted, as it does. Built once per request, whatever the number of secrets and URL forms.
 */
function fieldText(fields: Map<string, string[]>): string {
  let data = ''
  for (const key of [...fields.keys()].sort()) {
    for (const value of [...new Set(fields.get(key))].sort()) data += key + value
  }
  return data
}

/**
 * The URL as received, without and then with the scheme's default port (proxies add or drop
 * it): the forms the official `validateRequest` tries first, since Twilio signed one of them.
 */
function receivedForms(url: string): string[] {
  const parts = splitUrl(url)
  if (!parts) return [url]
  const bare = parts.scheme + parts.userInfo + parts.host + parts.rest
  if (parts.hasPort) return [bare, url]
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80'
  return [bare, parts.scheme + parts.userInfo + parts.host + port + parts.rest]
}

/**
 * The forms the official library falls back to: the `new URL()`-normalised URL without and
 * with the port, then the same with the query re-encoded as Node's legacy `querystring` would.
 * Forms already tried by `receivedForms` are left out.
 */
function normalizedForms(url: string): string[] {
  const forms = receivedForms(new URL(url).href)
  const tried = receivedForms(url)
  const all = new Set([...forms, ...forms.map(legacyQuery)])
  // Stryker disable next-line MethodExpression: a form already tried cannot match now; trying it again only costs time
  return [...all].filter((form) => !tried.includes(form))
}

function legacyQuery(url: string): string {
  const q = url.indexOf('?')
  // Stryker disable next-line ConditionalExpression,LogicalOperator,UnaryOperator,ArithmeticOperator: without a query the re-encoded form is a URL Twilio never signs, and an empty query re-encodes to itself: no answer changes
  if (q === -1 || q === url.length - 1) return url
  return `${url.slice(0, q)}?${stringifyQuery(parseQuery(url.slice(q + 1)))}`
}

interface UrlParts {
  scheme: string
  userInfo: string
  host: string
  hasPort: boolean
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
    hasPort: colon !== -1,
    rest: url.slice(prefix.length),
  }
}
