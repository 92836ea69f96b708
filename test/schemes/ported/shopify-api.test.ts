import { createHmac } from 'node:crypto'
import '@shopify/shopify-api/adapters/node'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import { describe, expect, it } from 'vitest'
import { badDeliveries, shopify } from '../../../src/index.js'

/**
 * shopify-api's own webhook validation tests, ported as data.
 * Source: Shopify/shopify-app-js at ef2043d4a8c4ca0adb9020d76090b2fb94979dab (shopify-api 13.1.0):
 * packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts, with its request headers
 * built by `headers()` and `hmac()` of packages/apps/shopify-api/lib/webhooks/__tests__/utils.ts.
 *
 * Every case verifies with `requireHeaders: true`, since `webhooks.validate` always checks them.
 * The installed @shopify/shopify-api is that same 13.1.0, so it referees every case: those with
 * `X-Shopify-*` headers alone and the Events ones, which carry both families (the `shopify-*` one
 * decides).
 */
const SOURCE =
  'Shopify/shopify-app-js packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts@ef2043d'

const apiSecretKey = 'test_secret_key' // lib/__tests__/test-config.ts
const rawBody = '{"foo": "bar"}'

// utils.ts `hmac(secret, body)`.
const hmac = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('base64')

interface HeaderOptions {
  apiVersion?: string
  domain?: string
  hmac?: string
  topic?: string
  webhookId?: string
  webhookType?: 'webhooks' | 'events'
  handle?: string
  action?: string
  resourceId?: string
  triggeredAt?: string
  eventId?: string
  name?: string
}

/** utils.ts `headers()`, as written there: Events requests carry both header families. */
function headers({
  apiVersion = '2023-01',
  domain = 'shop1.myshopify.io',
  hmac = 'fake',
  topic = 'products/create',
  webhookId = '123456789',
  webhookType = 'webhooks',
  handle = '',
  action = '',
  resourceId = '',
  triggeredAt = '',
  eventId = '',
  name = '',
}: HeaderOptions = {}): Record<string, string> {
  if (webhookType === 'events') {
    return {
      'X-Shopify-API-Version': apiVersion,
      'X-Shopify-Shop-Domain': domain,
      'X-Shopify-Hmac-Sha256': hmac,
      'X-Shopify-Topic': topic,
      'X-Shopify-Webhook-Id': webhookId,
      'shopify-api-version': apiVersion,
      'shopify-shop-domain': domain,
      'shopify-hmac-sha256': hmac,
      'shopify-topic': topic,
      ...(webhookId && { 'shopify-webhook-id': webhookId }),
      ...(eventId && { 'shopify-event-id': eventId }),
      ...(handle && { 'shopify-handle': handle }),
      ...(action && { 'shopify-action': action }),
      ...(resourceId && { 'shopify-resource-id': resourceId }),
      ...(triggeredAt && { 'shopify-triggered-at': triggeredAt }),
    }
  }
  return {
    'X-Shopify-API-Version': apiVersion,
    'X-Shopify-Shop-Domain': domain,
    'X-Shopify-Hmac-Sha256': hmac,
    'X-Shopify-Topic': topic,
    'X-Shopify-Webhook-Id': webhookId,
    ...(name && { 'X-Shopify-Name': name }),
    ...(triggeredAt && { 'X-Shopify-Triggered-At': triggeredAt }),
    ...(eventId && { 'X-Shopify-Event-Id': eventId }),
  }
}

interface Case {
  /** The test's name in validate.test.ts. */
  it: string
  headers: HeaderOptions
  /** The body sent; supertest sends none for the "missing body" cases. */
  body?: string
  /** What the test expects: valid (with this webhook id) or the reason. */
  spec: { valid: true; webhookId: string } | { valid: false; reason: string; missing?: string }
  /** hookwright's reason when it refuses. */
  ours?: string
}

const good = hmac(apiSecretKey, rawBody)

const cases: Case[] = [
  {
    it: 'returns true for valid request',
    headers: { hmac: good },
    spec: { valid: true, webhookId: '123456789' },
  },
  ...(
    [
      ['apiVersion', 'X-Shopify-API-Version'],
      ['domain', 'X-Shopify-Shop-Domain'],
      ['topic', 'X-Shopify-Topic'],
      ['webhookId', 'X-Shopify-Webhook-Id'],
    ] as const
  ).map(([option, header]): Case => ({
    it: `returns false on missing header ${header}`,
    headers: { hmac: good, [option]: '' },
    spec: { valid: false, reason: 'missing_headers', missing: header.toLowerCase() },
    ours: 'missing_header',
  })),
  {
    it: 'returns false on missing body',
    headers: { hmac: good },
    body: '',
    spec: { valid: false, reason: 'missing_body' },
    ours: 'bad_signature',
  },
  {
    it: 'returns false on missing HMAC',
    headers: { hmac: '' },
    spec: { valid: false, reason: 'missing_hmac' },
    ours: 'missing_header',
  },
  {
    it: 'returns false on invalid HMAC',
    headers: {},
    spec: { valid: false, reason: 'invalid_hmac' },
    ours: 'bad_signature',
  },
  {
    it: 'validates events webhooks with lowercase headers',
    headers: {
      hmac: good,
      webhookType: 'events',
      topic: 'Product',
      eventId: 'event-abc',
      action: 'create',
      handle: 'my-webhook',
      resourceId: 'gid://shopify/Product/123',
    },
    spec: { valid: true, webhookId: '123456789' },
  },
  {
    it: 'returns webhookType: webhooks for traditional webhooks',
    headers: { hmac: good },
    spec: { valid: true, webhookId: '123456789' },
  },
  {
    it: 'extracts events-specific optional fields',
    headers: {
      hmac: good,
      webhookType: 'events',
      handle: 'test-handle',
      action: 'update',
      resourceId: 'gid://shopify/Product/456',
      triggeredAt: '2026-01-27T12:00:00Z',
      eventId: 'event-123',
    },
    spec: { valid: true, webhookId: '123456789' },
  },
  {
    it: 'extracts webhooks name field',
    headers: { hmac: good, name: 'my-webhook-name' },
    spec: { valid: true, webhookId: '123456789' },
  },
  ...(
    [
      ['apiVersion', 'shopify-api-version'],
      ['domain', 'shopify-shop-domain'],
      ['topic', 'shopify-topic'],
      ['webhookId', 'shopify-webhook-id'],
      ['eventId', 'shopify-event-id'],
    ] as const
  ).map(([option, header]): Case => ({
    it: `returns false on missing events header ${header}`,
    headers: { hmac: good, webhookType: 'events', eventId: 'event-123', [option]: '' },
    spec: { valid: false, reason: 'missing_headers', missing: header },
    ours: 'missing_header',
  })),
  {
    it: 'returns false on invalid events HMAC',
    headers: { webhookType: 'events' },
    spec: { valid: false, reason: 'invalid_hmac' },
    ours: 'bad_signature',
  },
  {
    it: 'returns false on missing events body',
    headers: { hmac: good, webhookType: 'events' },
    body: '',
    spec: { valid: false, reason: 'missing_body' },
    ours: 'bad_signature',
  },
  {
    it: 'detects webhooks when X-Shopify-Hmac-Sha256 present',
    headers: { hmac: good },
    spec: { valid: true, webhookId: '123456789' },
  },
  {
    it: 'detects events when both header formats are present',
    headers: {
      hmac: good,
      webhookType: 'events',
      topic: 'Product',
      eventId: 'event-abc',
      handle: 'my_first_subscription',
      action: 'update',
      resourceId: 'gid://shopify/Product/123',
    },
    spec: { valid: true, webhookId: '123456789' },
  },
]

/** Cases the API cannot express, and why. */
const notExpressible: Record<string, string> = {
  'returns false when a cookie signature is replayed as the webhook HMAC':
    "About shopify-api's own cookie signing (13.1 derives a cookie-specific key so a signed OAuth cookie is not a webhook HMAC); hookwright signs and reads no cookies. Any HMAC not made over the body with the secret is bad_signature, as the other cases show.",
  'the returned fields (topic as PRODUCTS_CREATE, domain, apiVersion, handle, action, …)':
    'validate returns the routing fields; verify returns { ok, secretIndex, id } and leaves the headers to the handler. The webhook id is compared below.',
}

const official = shopifyApi({
  apiKey: 'test_api_key',
  apiSecretKey,
  hostName: 'test_host_name',
  apiVersion: ApiVersion.January26,
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: async () => {} },
})

/** What `webhooks.validate` returns, as far as these tests read it. */
interface Verdict {
  valid: boolean
  reason?: string
  missingHeaders?: string[]
  webhookId?: string
  webhookType?: 'webhooks' | 'events'
}

/** The header family a case's request is read from: Events requests carry `shopify-hmac-sha256`. */
const style = (c: Case) => c.headers.webhookType ?? 'webhooks'

async function officialValidate(h: Record<string, string>, body: string) {
  const rawRequest = { headers: h, method: 'POST', url: '/webhooks' }
  return official.webhooks.validate({ rawBody: body, rawRequest, rawResponse: {} } as never)
}

describe(`ported: ${SOURCE}`, () => {
  it('signs the HMAC the test expects for its body', () => {
    expect(good).toBe('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=')
    expect(shopify.sign({ payload: rawBody, secret: apiSecretKey }).headers).toMatchObject({
      'x-shopify-hmac-sha256': good,
    })
  })

  it.each(cases.map((c) => [c.it, c] as const))('%s', async (_title, c) => {
    const h = headers(c.headers)
    const body = c.body ?? rawBody
    const result = shopify.verify({ headers: h, body, secret: apiSecretKey, requireHeaders: true })
    if (c.spec.valid) {
      expect(result).toMatchObject({ ok: true, id: c.spec.webhookId })
    } else {
      expect(result.ok ? 'ok' : result.reason).toBe(c.ours)
      if (c.spec.missing !== undefined && !result.ok) {
        expect(result.message).toContain(c.spec.missing)
      }
    }
    // The installed shopify-api (13.1.0, the tests' own version) referees every case.
    const verdict = (await officialValidate(h, body)) as Verdict
    expect(verdict.valid).toBe(c.spec.valid)
    if (c.spec.valid) {
      expect(verdict).toMatchObject({ webhookId: c.spec.webhookId, webhookType: style(c) })
    } else {
      expect(verdict.reason).toBe(c.spec.reason)
      if (c.spec.missing !== undefined) {
        expect(verdict.missingHeaders?.map((name) => name.toLowerCase())).toEqual([c.spec.missing])
      }
    }
  })

  it('lists what it cannot express, with why', () => {
    expect(Object.keys(notExpressible)).toHaveLength(2)
    // An HMAC under another key of the same length is refused, whatever made it.
    const other = createHmac('sha256', `${apiSecretKey}-cookie`).update(rawBody).digest('base64')
    expect(
      shopify.verify({ headers: headers({ hmac: other }), body: rawBody, secret: apiSecretKey }),
    ).toMatchObject({ reason: 'bad_signature' })
  })
  it.each(['legacy', 'events'] as const)(
    "shopify-api judges hookwright's bad deliveries in the %s style as they expect",
    async (headerStyle) => {
      const scheme = shopify.with({
        headerStyle,
        requireHeaders: true,
        topic: 'orders/create',
        shopDomain: 'shop1.myshopify.io',
        apiVersion: '2026-01',
      })
      const cases = badDeliveries(scheme, {
        payload: { id: 1, note: 'caf\u00e9' },
        secret: apiSecretKey,
      })
      expect(cases.length).toBeGreaterThan(8)
      const prefix = headerStyle === 'events' ? 'shopify-' : 'x-shopify-'
      const seen = { valid: [] as string[], invalid: [] as string[] }
      for (const c of cases) {
        // Each case carries the one family its scheme signs, so validate reads that family.
        expect(
          Object.keys(c.headers).filter(
            (k) => /shopify-/i.test(k) && !k.toLowerCase().startsWith(prefix),
          ),
        ).toEqual([])
        const body = typeof c.body === 'string' ? c.body : Buffer.from(c.body).toString('utf8')
        const verdict = (await officialValidate(c.headers, body)) as Verdict
        expect({ name: c.name, valid: verdict.valid }).toEqual({
          name: c.name,
          // Cases outside the signature group (replay, retry, oversized body) are validly signed.
          valid: c.expect === 'accept' || c.group !== 'signature',
        })
        if (verdict.valid) {
          expect(verdict.webhookType).toBe(headerStyle === 'events' ? 'events' : 'webhooks')
        }
        seen[verdict.valid ? 'valid' : 'invalid'].push(c.name)
      }
      // Both verdicts occur, so the comparison above cannot pass by refusing everything.
      expect(seen.valid.length).toBeGreaterThan(0)
      expect(seen.invalid.length).toBeGreaterThan(8)
    },
  )
})
