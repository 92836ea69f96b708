import { randomUUID } from 'node:crypto'
import { hmac, matchHmac } from '../crypto.js'
import { invalidOption } from '../errors.js'
import { oneOfRule, parseConfig, stringRule } from './config.js'
import type { OptionRule } from './config.js'
import { defineScheme } from './define.js'
import type { Scheme, SignOptions, VerifyOptions } from './types.js'

/**
 * Which header names a delivery carries: `legacy` is `X-Shopify-Hmac-Sha256` and friends (webhook
 * subscriptions); `events` is the `shopify-hmac-sha256` family that Events deliveries carry alone.
 */
export type ShopifyHeaderStyle = 'legacy' | 'events'

export interface ShopifySignOptions extends SignOptions {
  /** `legacy` writes `x-shopify-*` headers, `events` writes `shopify-*`. Default: the scheme's (`legacy`). */
  headerStyle?: ShopifyHeaderStyle
  /** The topic header, e.g. `orders/create`; omitted when not given. */
  topic?: string
  /** The shop domain header, e.g. `example.myshopify.com`; omitted when not given. */
  shopDomain?: string
  /** The API version header, e.g. `2025-07`; omitted when not given. */
  apiVersion?: string
  /** The event id header; `events` deliveries always carry one (a fresh UUID by default). */
  eventId?: string
}

export interface ShopifyVerifyOptions extends VerifyOptions {
  /**
   * Also require the headers shopify-api's `webhooks.validate` requires once the HMAC matches:
   * topic, shop domain, API version and webhook id (and, for `events` deliveries, the event
   * id), of the same family as the HMAC header. Default: the scheme's (false).
   */
  requireHeaders?: boolean
}

/** Defaults for a Shopify scheme made with `shopify.with(config)`. */
export interface ShopifyConfig {
  /** The header family `sign` writes by default. Default `legacy`. */
  headerStyle?: ShopifyHeaderStyle
  /** Whether `verify` requires the routing headers by default. Default false. */
  requireHeaders?: boolean
  /** Default `topic` for `sign`. */
  topic?: string
  /** Default `shopDomain` for `sign`. */
  shopDomain?: string
  /** Default `apiVersion` for `sign`. */
  apiVersion?: string
}

/**
 * The Shopify scheme; `.with(config)` makes one with other defaults (header style, required
 * headers), layered over the defaults of the scheme it is called on.
 */
export type ShopifyScheme = Scheme<ShopifySignOptions, ShopifyVerifyOptions> & {
  with(config: ShopifyConfig): ShopifyScheme
}

// The two header families, as shopify-api (13.x) names them in WEBHOOK_HEADER_NAMES.
type HeaderNames = Record<
  'hmac' | 'topic' | 'domain' | 'apiVersion' | 'webhookId' | 'eventId' | 'triggeredAt',
  string
>
const NAMES: Record<ShopifyHeaderStyle, HeaderNames> = {
  legacy: {
    hmac: 'x-shopify-hmac-sha256',
    topic: 'x-shopify-topic',
    domain: 'x-shopify-shop-domain',
    apiVersion: 'x-shopify-api-version',
    webhookId: 'x-shopify-webhook-id',
    eventId: 'x-shopify-event-id',
    triggeredAt: 'x-shopify-triggered-at',
  },
  events: {
    hmac: 'shopify-hmac-sha256',
    topic: 'shopify-topic',
    domain: 'shopify-shop-domain',
    apiVersion: 'shopify-api-version',
    webhookId: 'shopify-webhook-id',
    eventId: 'shopify-event-id',
    triggeredAt: 'shopify-triggered-at',
  },
}

const text = stringRule('a non-empty string', { test: /^[^]+$/, accepted: 'a non-empty string' })
const shopifyConfig: Record<keyof ShopifyConfig, OptionRule> = {
  headerStyle: oneOfRule(['legacy', 'events']),
  requireHeaders: { check: (value) => (typeof value === 'boolean' ? undefined : 'true or false') },
  topic: text,
  shopDomain: text,
  apiVersion: text,
}

function createShopify(config: ShopifyConfig): ShopifyScheme {
  const defaults = parseConfig<ShopifyConfig>(shopifyConfig, config, 'shopify.with')
  const style = defaults.headerStyle ?? 'legacy'
  const required = defaults.requireHeaders ?? false
  const own = NAMES[style]
  const other = NAMES[style === 'legacy' ? 'events' : 'legacy']
  const scheme = defineScheme<ShopifySignOptions, ShopifyVerifyOptions>({
    name: 'shopify',
    // The signature header of the scheme's style first; with required headers, the ones whose
    // absence is a refusal (so bad-delivery cases drop each of them).
    headers: required
      ? [own.hmac, own.topic, own.domain, own.apiVersion, own.webhookId].concat(
          style === 'events' ? [own.eventId] : [],
        )
      : [own.hmac, other.hmac],
    sign({ options, bodyBytes, timestamp }) {
      const headerStyle = options.headerStyle ?? style
      if (headerStyle !== 'legacy' && headerStyle !== 'events') {
        invalidOption('headerStyle', "'legacy' or 'events'", headerStyle)
      }
      const names = NAMES[headerStyle]
      const headers: Record<string, string> = {
        [names.hmac]: hmac('sha256', options.secret, bodyBytes).toString('base64'),
        [names.webhookId]: options.id ?? randomUUID(),
        [names.triggeredAt]: new Date(timestamp * 1000).toISOString(),
      }
      const topic = options.topic ?? defaults.topic
      const shopDomain = options.shopDomain ?? defaults.shopDomain
      const apiVersion = options.apiVersion ?? defaults.apiVersion
      if (required) {
        for (const [option, value] of [
          ['topic', topic],
          ['shopDomain', shopDomain],
          ['apiVersion', apiVersion],
        ] as const) {
          if (value === undefined) {
            invalidOption(
              option,
              'a value (this scheme verifies with requireHeaders, so deliveries must carry it)',
              value,
            )
          }
        }
      }
      if (topic !== undefined) headers[names.topic] = topic
      if (shopDomain !== undefined) headers[names.domain] = shopDomain
      if (apiVersion !== undefined) headers[names.apiVersion] = apiVersion
      // shopify-api requires an event id on Events deliveries; webhook subscriptions may omit it.
      const eventId = options.eventId ?? (headerStyle === 'events' ? randomUUID() : undefined)
      if (eventId !== undefined) headers[names.eventId] = eventId
      return headers
    },
    verify(ctx) {
      // As shopify-api's validate: a non-empty shopify-hmac-sha256 makes it an Events delivery,
      // read entirely from shopify-* headers; otherwise a webhook read from X-Shopify-* ones.
      const names = ctx.header(NAMES.events.hmac) ? NAMES.events : NAMES.legacy
      const header = ctx.header(names.hmac)
      if (!header) {
        return ctx.fail(
          'missing_header',
          'The X-Shopify-Hmac-Sha256 (or shopify-hmac-sha256) header is missing.',
        )
      }
      // Shopify signs the raw body alone; compare base64 text so any changed character is bad_signature.
      // Stryker disable next-line StringLiteral: Buffer.from(text, '') is UTF-8 too (the default)
      const candidate = Buffer.from(header, 'utf8')
      const matched = matchHmac('sha256', 'base64', ctx.secrets, candidate, ctx.body)
      if (matched === -1) {
        return ctx.fail('bad_signature', 'The HMAC does not match the body and secret.')
      }
      const requireHeaders = ctx.options.requireHeaders ?? required
      if (typeof requireHeaders !== 'boolean') {
        invalidOption('requireHeaders', 'true or false', requireHeaders)
      }
      if (requireHeaders) {
        const wanted: string[] = [names.topic, names.domain, names.apiVersion, names.webhookId]
        if (names === NAMES.events) wanted.push(names.eventId)
        const missing = wanted.filter((name) => !ctx.header(name))
        if (missing.length > 0) {
          return ctx.fail('missing_header', `Required header(s) missing: ${missing.join(', ')}.`)
        }
      }
      const id = ctx.header(names.webhookId)
      return id ? ctx.ok(matched, { id }) : ctx.ok(matched)
    },
  })
  // A further .with() starts from this scheme's defaults: events.with({ requireHeaders }) stays events.
  return Object.assign(scheme, {
    with: (more: ShopifyConfig) =>
      createShopify({
        ...defaults,
        ...parseConfig<ShopifyConfig>(shopifyConfig, more, 'shopify.with'),
      }),
  })
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 hmac-sha256 of the raw body>`, keyed with the app's
 * client secret as UTF-8, no timestamp. Events deliveries carry the same HMAC under the new
 * `shopify-*` names (`shopify-hmac-sha256`, `shopify-topic`, …): verify reads
 * `shopify-hmac-sha256` first and the `X-Shopify-` header when it is absent or empty, as
 * shopify-api (13.x) does. `sign` writes either family (`headerStyle: 'legacy' | 'events'`), with the webhook id
 * (from `id`), the trigger time, and the topic, shop domain and API version when given;
 * `requireHeaders: true` also refuses a delivery without them, as shopify-api's `validate` does.
 *
 * @example
 * const { headers, body } = shopify.sign({ payload: order, secret, topic: 'orders/create' })
 * shopify.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, … }
 * const events = shopify.with({ headerStyle: 'events' })         // signs shopify-* headers
 */
export const shopify: ShopifyScheme = createShopify({})
