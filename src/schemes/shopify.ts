import { randomUUID } from 'node:crypto'
import { hmac, matchHmac } from '../crypto.js'
import { defineScheme } from './define.js'
import type { SignOptions, VerifyOptions } from './types.js'

const HEADER = 'x-shopify-hmac-sha256'

export interface ShopifySignOptions extends SignOptions {
  /** `X-Shopify-Topic`, e.g. `orders/create`; omitted when not given. */
  topic?: string
  /** `X-Shopify-Shop-Domain`, e.g. `example.myshopify.com`; omitted when not given. */
  shopDomain?: string
  /** `X-Shopify-API-Version`, e.g. `2025-07`; omitted when not given. */
  apiVersion?: string
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 hmac-sha256 of the raw body>`, keyed with the app's
 * client secret as UTF-8, no timestamp. Sign also writes `X-Shopify-Webhook-Id` (from `id`) and
 * `X-Shopify-Triggered-At`, and the topic, shop domain and API version when given, so handlers
 * that route on them can be tested.
 *
 * @example
 * const { headers, body } = shopify.sign({ payload: order, secret, topic: 'orders/create' })
 * shopify.verify({ headers: req.headers, body: rawBody, secret }) // { ok: true, … }
 */
export const shopify = defineScheme<ShopifySignOptions, VerifyOptions>({
  name: 'shopify',
  headers: [HEADER],
  sign({ options, bodyBytes, timestamp }) {
    const headers: Record<string, string> = {
      [HEADER]: hmac('sha256', options.secret, bodyBytes).toString('base64'),
      'x-shopify-webhook-id': options.id ?? randomUUID(),
      'x-shopify-triggered-at': new Date(timestamp * 1000).toISOString(),
    }
    if (options.topic !== undefined) headers['x-shopify-topic'] = options.topic
    if (options.shopDomain !== undefined) headers['x-shopify-shop-domain'] = options.shopDomain
    if (options.apiVersion !== undefined) headers['x-shopify-api-version'] = options.apiVersion
    return headers
  },
  verify(ctx) {
    const header = ctx.header(HEADER)
    if (!header) return ctx.fail('missing_header', 'The X-Shopify-Hmac-Sha256 header is missing.')
    // Shopify signs the raw body alone; compare base64 text so any changed character is bad_signature.
    const candidate = Buffer.from(header, 'utf8')
    const matched = matchHmac('sha256', 'base64', ctx.secrets, candidate, ctx.body)
    if (matched === -1) {
      return ctx.fail('bad_signature', 'The HMAC does not match the body and secret.')
    }
    const id = ctx.header('x-shopify-webhook-id')
    return id ? ctx.ok(matched, { id }) : ctx.ok(matched)
  },
})
