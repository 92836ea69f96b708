import { randomUUID } from 'node:crypto'
import { encode, hmac as mac, matchHmacParts } from '../crypto.js'
import type { Encoding, HmacAlgorithm } from '../crypto.js'
import { invalidOption } from '../errors.js'
import { HEADER_NAME, oneOfRule, parseConfig, stringRule } from './config.js'
import type { OptionRule } from './config.js'
import { checkMilliseconds, checkTimestamp, defineScheme } from './define.js'
import type { Scheme } from './types.js'

/** How a generic HMAC scheme signs: which header, digest, encoding and signed content. */
export interface HmacConfig {
  /** The registry name the scheme reports in results (default `'hmac'`). */
  name?: string
  /** The header that carries the signature, e.g. `'X-Hub-Signature-256'`. */
  header: string
  /** Default `'sha256'`. */
  algorithm?: HmacAlgorithm
  /** How the digest is written in the header. Default `'hex'` (lower-case). */
  encoding?: Encoding
  /** Text before the signature in the header, e.g. `'sha256='` or `'v0='`. Default none. */
  prefix?: string
  /**
   * What is signed: literal text and the placeholders `{body}` (the raw body, required),
   * `{timestamp}` (the timestamp header's text), `{id}` (the id header's text) and `{url}` (the
   * full request URL, passed as `url` to sign and verify). Default `'{body}'`.
   */
  template?: string
  /** The header carrying the signed timestamp; required when the template has `{timestamp}`. */
  timestampHeader?: string
  /** Unit of the timestamp header: `'s'` (default) or `'ms'` (HubSpot). */
  timestampUnit?: 's' | 'ms'
  /** The header carrying the message id; required when the template has `{id}`. */
  idHeader?: string
  /** Default seconds a timestamp may be away from now (default 300; only with a timestamp). */
  tolerance?: number
  /**
   * Accept timestamps ahead of now, refusing only old ones, as HubSpot's client does. Default
   * false: both directions are checked.
   */
  allowFuture?: boolean
}

/** A generic HMAC scheme; `.with(config)` makes another one. */
export type HmacScheme = Scheme & {
  /** The configuration with every default filled in. */
  readonly config: Readonly<ResolvedHmacConfig>
  with(config: HmacConfig): HmacScheme
}

type ResolvedHmacConfig = Required<
  Omit<HmacConfig, 'timestampHeader' | 'idHeader' | 'tolerance' | 'allowFuture'>
> &
  Pick<HmacConfig, 'timestampHeader' | 'idHeader' | 'tolerance' | 'allowFuture'>

const headerName = (example: string, required = false) =>
  stringRule(
    `a header name such as "${example}"`,
    { test: HEADER_NAME, accepted: `a header name such as "${example}" (letters, digits and -)` },
    required,
  )

const PLACEHOLDERS = ['body', 'timestamp', 'id', 'url'] as const
type Placeholder = (typeof PLACEHOLDERS)[number]

const NON_EMPTY = /^[^]+$/
const ONE_LINE = /^[^\r\n]*$/

const hmacConfig: Record<keyof HmacConfig, OptionRule> = {
  name: stringRule('a non-empty string', { test: NON_EMPTY, accepted: 'a non-empty string' }),
  header: headerName('X-Signature', true),
  algorithm: oneOfRule(['sha1', 'sha256', 'sha512']),
  encoding: oneOfRule(['hex', 'base64', 'base64url']),
  prefix: stringRule('a string such as "sha256="', {
    test: ONE_LINE,
    accepted: 'a string without line breaks, such as "sha256="',
  }),
  template: stringRule('a string such as "{timestamp}.{body}"'),
  timestampHeader: headerName('X-Timestamp'),
  timestampUnit: oneOfRule(['s', 'ms']),
  idHeader: headerName('X-Webhook-Id'),
  tolerance: {
    check: (value) =>
      // Number.isFinite refuses every non-number, so no typeof check is needed before >= 0.
      Number.isFinite(value) && (value as number) >= 0 ? undefined : 'a number of seconds >= 0',
  },
  allowFuture: {
    check: (value) => (typeof value === 'boolean' ? undefined : 'true or false'),
  },
}

type Part = { text: string } | { placeholder: Placeholder }

/** Splits a template into literal text and placeholders, refusing unknown ones. */
function parseTemplate(template: string): Part[] {
  const parts: Part[] = []
  const pattern = /\{([^{}]*)\}/g
  let last = 0
  for (const match of template.matchAll(pattern)) {
    const name = match[1] as Placeholder
    if (!PLACEHOLDERS.includes(name)) {
      invalidOption(
        'hmac.with template',
        'placeholders {body}, {timestamp}, {id} or {url}',
        template,
      )
    }
    // Text parts may be empty ('{a}{b}'): an empty part adds nothing to the HMAC.
    parts.push({ text: template.slice(last, match.index) })
    parts.push({ placeholder: name })
    last = match.index + match[0].length
  }
  parts.push({ text: template.slice(last) })
  return parts
}

function resolve(config: HmacConfig): { resolved: ResolvedHmacConfig; parts: Part[] } {
  const parsed = parseConfig<HmacConfig>(hmacConfig, config, 'hmac.with')
  const resolved: ResolvedHmacConfig = {
    name: 'hmac',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: '',
    template: '{body}',
    timestampUnit: 's',
    ...parsed,
  }
  const parts = parseTemplate(resolved.template)
  const uses = (p: Placeholder) =>
    parts.some((part) => 'placeholder' in part && part.placeholder === p)
  if (!uses('body')) {
    invalidOption('hmac.with template', 'a template that signs {body}', resolved.template)
  }
  // A timestamp or id that is sent but not signed could be changed freely: refuse the pairing.
  for (const [placeholder, option] of [
    ['timestamp', 'timestampHeader'],
    ['id', 'idHeader'],
  ] as const) {
    if (uses(placeholder) !== (resolved[option] !== undefined)) {
      invalidOption(
        `hmac.with ${option}`,
        `${option} together with {${placeholder}} in the template (both or neither)`,
        resolved[option],
      )
    }
  }
  for (const option of ['tolerance', 'allowFuture', 'timestampUnit'] as const) {
    if (parsed[option] !== undefined && resolved.timestampHeader === undefined) {
      invalidOption(`hmac.with ${option}`, `${option} only with a timestampHeader`, parsed[option])
    }
  }
  return { resolved, parts }
}

function createHmac(config: HmacConfig): HmacScheme {
  const { resolved, parts } = resolve(config)
  const { name, algorithm, encoding, prefix, timestampUnit } = resolved
  const header = resolved.header.toLowerCase()
  const timestampHeader = resolved.timestampHeader?.toLowerCase()
  const idHeader = resolved.idHeader?.toLowerCase()
  const signsUrl = parts.some((part) => 'placeholder' in part && part.placeholder === 'url')

  const requireUrl = (url: unknown, where: string): string => {
    if (signsUrl && (typeof url !== 'string' || url.length === 0)) {
      invalidOption(
        `${name}.${where}({ url })`,
        'the full request URL, which this scheme signs',
        url,
      )
    }
    return url as string
  }
  /** The signed content: the template's text with its placeholders filled in, in order. */
  const content = (values: {
    body: Uint8Array
    timestamp: string
    id: string
    url: string
  }): Array<string | Uint8Array> =>
    parts.map((part) => ('text' in part ? part.text : values[part.placeholder]))
  const signature = (
    secret: string,
    values: { body: Uint8Array; timestamp: string; id: string; url: string },
  ): string => encode(mac(algorithm, secret, ...content(values)), encoding)

  const scheme = defineScheme({
    name,
    headers: [
      header,
      ...(timestampHeader ? [timestampHeader] : []),
      ...(idHeader ? [idHeader] : []),
    ],
    tolerance: timestampHeader ? (resolved.tolerance ?? 300) : undefined,
    sign({ options, bodyBytes, timestamp: seconds }) {
      const url = requireUrl(options.url, 'sign')
      const timestamp = String(timestampUnit === 'ms' ? seconds * 1000 : seconds)
      const id = options.id ?? `msg_${randomUUID()}`
      const headers: Record<string, string> = {
        [header]: prefix + signature(options.secret, { body: bodyBytes, timestamp, id, url }),
      }
      if (timestampHeader) headers[timestampHeader] = timestamp
      if (idHeader) headers[idHeader] = id
      return headers
    },
    verify(ctx) {
      const url = requireUrl(ctx.options.url, 'verify')
      const value = ctx.header(header)
      if (!value) return ctx.fail('missing_header', `The ${resolved.header} header is missing.`)
      if (!value.startsWith(prefix)) {
        return ctx.fail(
          'malformed_header',
          `The ${resolved.header} header does not start with ${JSON.stringify(prefix)}.`,
        )
      }
      // Stryker disable next-line StringLiteral: without a timestampHeader the template has no {timestamp}, so this is never signed
      let timestamp = ''
      let seconds: number | undefined
      if (timestampHeader) {
        timestamp = ctx.header(timestampHeader) ?? ''
        if (!timestamp) {
          return ctx.fail('missing_header', `The ${resolved.timestampHeader} header is missing.`)
        }
        if (!/^\d{1,15}$/.test(timestamp)) {
          return ctx.fail(
            'malformed_header',
            `The ${resolved.timestampHeader} header is not a Unix time in ${timestampUnit === 'ms' ? 'milliseconds' : 'seconds'}.`,
          )
        }
        seconds = timestampUnit === 'ms' ? Math.floor(Number(timestamp) / 1000) : Number(timestamp)
      }
      // Stryker disable next-line StringLiteral: without an idHeader the template has no {id}, so this is never signed
      let id = ''
      if (idHeader) {
        id = ctx.header(idHeader) ?? ''
        if (!id) return ctx.fail('missing_header', `The ${resolved.idHeader} header is missing.`)
      }
      // Compare the encoded text, so any changed character is a bad signature.
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
      const received = Buffer.from(value.slice(prefix.length), 'utf8')
      const signed = content({ body: ctx.body, timestamp, id, url })
      const index = matchHmacParts(algorithm, encoding, ctx.secrets, received, signed)
      if (index === -1) {
        return ctx.fail('bad_signature', `The ${resolved.header} signature does not match.`)
      }
      const future = resolved.allowFuture !== true
      // A millisecond header is compared in milliseconds, as HubSpot's isValid does: rounding it
      // to seconds would let a 300,500 ms old request through a 300 s tolerance.
      const failure =
        seconds === undefined
          ? undefined
          : timestampUnit === 'ms'
            ? checkMilliseconds(ctx, Number(timestamp), { future })
            : checkTimestamp(ctx, seconds, { future })
      return (
        failure ??
        ctx.ok(index, {
          ...(seconds === undefined ? {} : { timestamp: seconds }),
          ...(idHeader ? { id } : {}),
        })
      )
    },
  })
  return { ...scheme, config: resolved, with: createHmac }
}

/**
 * A configurable HMAC scheme for providers that sign `HMAC(secret, <template>)` into a header.
 * `hmac` itself signs the raw body with HMAC-SHA256 as lower-case hex in `X-Webhook-Signature`,
 * with no prefix and no timestamp; `hmac.with(config)` makes one that matches another provider.
 * The config is checked at once: an unknown option or value throws `HOOKWRIGHT_INVALID_OPTION`.
 *
 * @example
 * const acme = hmac.with({
 *   name: 'acme', header: 'X-Acme-Signature', prefix: 'sha256=',
 *   template: '{timestamp}.{body}', timestampHeader: 'X-Acme-Timestamp',
 * })
 * const { headers, body } = acme.sign({ payload: event, secret })
 * acme.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, timestamp, … }
 */
export const hmac: HmacScheme = createHmac({ header: 'X-Webhook-Signature' })
