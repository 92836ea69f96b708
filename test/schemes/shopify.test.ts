import { createHmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { describe, expect, it } from 'vitest'
import { badDeliveries, getScheme, shopify, signedFixture } from '../../src/index.js'

const secret = 'shpss_client_secret'
const order = { id: 820982911946154500, email: 'jon@example.com', total_price: '199.00' }

/**
 * Shopify publishes no test vector and there is no official Node verifier installed, so the
 * referee is the algorithm as "Verify webhook deliveries" describes it
 * (https://shopify.dev/docs/apps/build/webhooks/verify-deliveries): HMAC-SHA256 of the raw request
 * body keyed with the app's client secret, base64-encoded in X-Shopify-Hmac-SHA256.
 */
const documented = (key: string, rawBody: string | Buffer) =>
  createHmac('sha256', key).update(rawBody).digest('base64')

describe('shopify', () => {
  it('signs as Shopify documents it', () => {
    const { headers, body } = shopify.sign({ payload: order, secret })
    expect(body).toBe(JSON.stringify(order))
    expect(headers['x-shopify-hmac-sha256']).toBe(documented(secret, body as string))
  })

  it('verifies a delivery signed as Shopify documents it', () => {
    // Shopify's own serialisation (spacing, unicode) is kept byte-exact.
    const body = '{"id": 1, "note": "caf\u00e9 \u2713"}'
    const headers = { 'X-Shopify-Hmac-Sha256': documented(secret, body) }
    expect(shopify.verify({ headers, body, secret })).toMatchObject({
      ok: true,
      scheme: 'shopify',
      secretIndex: 0,
    })
  })

  it('writes the routing headers a handler reads', () => {
    const { headers } = shopify.sign({
      payload: order,
      secret,
      id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      timestamp: 1_700_000_000,
      topic: 'orders/create',
      shopDomain: 'example.myshopify.com',
      apiVersion: '2025-07',
    })
    expect(headers).toMatchObject({
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      'x-shopify-triggered-at': '2023-11-14T22:13:20.000Z',
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': '2025-07',
    })
    expect(shopify.verify({ headers, body: JSON.stringify(order), secret })).toMatchObject({
      id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    })
  })

  it('says why a request is refused', () => {
    const { headers, body } = shopify.sign({ payload: order, secret })
    const hmac = headers['x-shopify-hmac-sha256']!
    const reason = (h: Record<string, string>, b: string | Uint8Array = body, s = secret) => {
      const result = shopify.verify({ headers: h, body: b, secret: s })
      return result.ok ? 'ok' : result.reason
    }
    expect(reason(headers, JSON.stringify(order, null, 1))).toBe('bad_signature')
    expect(reason(headers, body, 'other')).toBe('bad_signature')
    // Hex of the same digest is a common mistake: it is not Shopify's encoding.
    const hex = Buffer.from(hmac, 'base64').toString('hex')
    expect(reason({ 'x-shopify-hmac-sha256': hex })).toBe('bad_signature')
    expect(reason({ 'x-shopify-hmac-sha256': hmac.replace(/=$/, '') })).toBe('bad_signature')
    expect(reason({})).toBe('missing_header')
    expect(shopify.verify({ headers, body, secrets: [''] })).toMatchObject({
      reason: 'missing_secret',
    })
    expect(shopify.tolerance).toBeUndefined()
  })

  it('accepts the old or the new client secret during a rotation', () => {
    // Shopify takes up to an hour to sign with a rotated secret, so both must verify meanwhile.
    const { headers, body } = shopify.sign({ payload: order, secret: 'old' })
    expect(shopify.verify({ headers, body, secrets: ['new', 'old'] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
  })

  it('reads headers in any shape and the body as string, Buffer or Uint8Array', () => {
    const { headers, body } = shopify.sign({ payload: order, secret })
    const hmac = headers['x-shopify-hmac-sha256']!
    const incoming: IncomingHttpHeaders = {
      'x-shopify-hmac-sha256': hmac,
      via: ['a', 'b'] as never,
    }
    for (const h of [{ 'X-SHOPIFY-HMAC-SHA256': hmac }, new Headers(headers), incoming]) {
      for (const b of [body, Buffer.from(body), new Uint8Array(Buffer.from(body))]) {
        expect(shopify.verify({ headers: h, body: b, secret }).ok).toBe(true)
      }
    }
    expect(getScheme('shopify')).toBe(shopify)
  })
  it('names what is wrong in each refusal', () => {
    const body = JSON.stringify(order)
    const refusal = (headers: Record<string, string>, requireHeaders?: boolean) => {
      const result = shopify.verify({ headers, body, secret, requireHeaders })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    const hmac = documented(secret, body)
    expect(refusal({})).toBe(
      'missing_header: The X-Shopify-Hmac-Sha256 (or shopify-hmac-sha256) header is missing.',
    )
    expect(refusal({ 'x-shopify-hmac-sha256': documented('other', body) })).toBe(
      'bad_signature: The HMAC does not match the body and secret.',
    )
    expect(refusal({ 'x-shopify-hmac-sha256': hmac, 'x-shopify-topic': 't' }, true)).toBe(
      'missing_header: Required header(s) missing: x-shopify-shop-domain, x-shopify-api-version, x-shopify-webhook-id.',
    )
    expect(
      refusal(
        {
          'shopify-hmac-sha256': hmac,
          'shopify-topic': 't',
          'shopify-shop-domain': 'd',
          'shopify-api-version': 'v',
          'shopify-webhook-id': 'w',
        },
        true,
      ),
    ).toBe('missing_header: Required header(s) missing: shopify-event-id.')
  })

  it('makes schemes with .with() that report as shopify and make others in turn', () => {
    const body = JSON.stringify(order)
    const events = shopify.with({ headerStyle: 'events' })
    // A further .with() keeps the defaults it is called on: still the events style.
    const strict = events.with({
      requireHeaders: true,
      topic: 't',
      shopDomain: 'd',
      apiVersion: 'v',
    })
    const signed = strict.sign({ payload: order, secret })
    expect(strict.verify({ headers: signed.headers, body, secret })).toMatchObject({
      ok: true,
      scheme: 'shopify',
      id: signed.headers['shopify-webhook-id'],
    })
    expect(events.verify({ headers: {}, body, secret })).toMatchObject({
      scheme: 'shopify',
      reason: 'missing_header',
    })
  })

  it('reports the webhook id only when the delivery carries one', () => {
    const body = JSON.stringify(order)
    const headers = { 'x-shopify-hmac-sha256': documented(secret, body) }
    expect(shopify.verify({ headers, body, secret })).toStrictEqual({
      ok: true,
      scheme: 'shopify',
      secretIndex: 0,
    })
    expect(
      shopify.verify({ headers: { ...headers, 'x-shopify-webhook-id': 'w1' }, body, secret }),
    ).toStrictEqual({ ok: true, scheme: 'shopify', secretIndex: 0, id: 'w1' })
  })

  it('lists the headers a bad delivery may drop: both HMAC names, or every required one', () => {
    expect(shopify.headers).toEqual(['x-shopify-hmac-sha256', 'shopify-hmac-sha256'])
    expect(shopify.with({ headerStyle: 'legacy' }).headers).toEqual([
      'x-shopify-hmac-sha256',
      'shopify-hmac-sha256',
    ])
    expect(shopify.with({ headerStyle: 'events' }).headers).toEqual([
      'shopify-hmac-sha256',
      'x-shopify-hmac-sha256',
    ])
    expect(shopify.with({ requireHeaders: true }).headers).toEqual([
      'x-shopify-hmac-sha256',
      'x-shopify-topic',
      'x-shopify-shop-domain',
      'x-shopify-api-version',
      'x-shopify-webhook-id',
    ])
    expect(shopify.with({ headerStyle: 'events', requireHeaders: true }).headers).toEqual([
      'shopify-hmac-sha256',
      'shopify-topic',
      'shopify-shop-domain',
      'shopify-api-version',
      'shopify-webhook-id',
      'shopify-event-id',
    ])
  })

  it('throws on misuse, naming the option and what it accepts', () => {
    const message = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return (error as Error).message
      }
      return 'no error'
    }
    const { headers, body } = shopify.sign({ payload: order, secret })
    expect(
      message(() => shopify.verify({ headers, body, secret, requireHeaders: 'yes' as never })),
    ).toBe('Invalid option `requireHeaders`: expected true or false, got "yes".')
    expect(message(() => shopify.with({ requireHeaders: 1 as never }))).toBe(
      'Invalid option `shopify.with requireHeaders`: expected true or false, got 1.',
    )
    expect(message(() => shopify.with({ topic: '' }))).toBe(
      'Invalid option `shopify.with topic`: expected a non-empty string, got "".',
    )
    const strict = shopify.with({ requireHeaders: true, topic: 'orders/create', apiVersion: 'v' })
    expect(message(() => strict.sign({ payload: order, secret }))).toBe(
      'Invalid option `shopDomain`: expected a value (this scheme verifies with requireHeaders, so deliveries must carry it), got undefined.',
    )
    expect(
      strict.sign({ payload: order, secret, shopDomain: 'example.myshopify.com' }).headers,
    ).toMatchObject({
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': 'v',
    })
  })

  it('gives an Events delivery a fresh event id, and a webhook subscription none unless asked', () => {
    const a = shopify.sign({ payload: order, secret, headerStyle: 'events' })
    const b = shopify.sign({ payload: order, secret, headerStyle: 'events' })
    expect(a.headers['shopify-event-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.headers['shopify-event-id']).not.toBe(b.headers['shopify-event-id'])
    expect(a.headers['shopify-webhook-id']).not.toBe(b.headers['shopify-webhook-id'])
    expect(shopify.sign({ payload: order, secret }).headers).not.toHaveProperty(
      'x-shopify-event-id',
    )
    expect(shopify.sign({ payload: order, secret, eventId: 'e1' }).headers).toMatchObject({
      'x-shopify-event-id': 'e1',
    })
  })

  describe("the new shopify-* headers (Events deliveries), as shopify-api 13's validate reads them", () => {
    const body = JSON.stringify(order)
    const hmac = documented(secret, body)
    const events = {
      'shopify-hmac-sha256': hmac,
      'shopify-topic': 'orders/create',
      'shopify-shop-domain': 'example.myshopify.com',
      'shopify-api-version': '2026-01',
      'shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      'shopify-event-id': 'e1d2c3b4-bdd9-4b37-8a5f-bf7d70bcd043',
    }
    const reason = (headers: Record<string, string>, requireHeaders?: boolean) => {
      const result = shopify.verify({
        headers,
        body,
        secret,
        ...(requireHeaders === undefined ? {} : { requireHeaders }),
      })
      return result.ok ? 'ok' : result.reason
    }

    it('verifies a delivery that carries only the new headers', () => {
      expect(shopify.verify({ headers: events, body, secret })).toMatchObject({
        ok: true,
        id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      })
      expect(reason({ 'Shopify-Hmac-Sha256': hmac })).toBe('ok')
    })

    it('reads the new HMAC header first and the old one only when the new one is absent', () => {
      const wrong = documented('another app', body)
      // Both present: the new one decides, so a stale old header cannot rescue a wrong new one.
      expect(reason({ 'shopify-hmac-sha256': wrong, 'x-shopify-hmac-sha256': hmac })).toBe(
        'bad_signature',
      )
      expect(reason({ 'shopify-hmac-sha256': hmac, 'x-shopify-hmac-sha256': wrong })).toBe('ok')
      // An empty new header counts as absent (shopify-api tests it for truth).
      expect(reason({ 'shopify-hmac-sha256': '', 'x-shopify-hmac-sha256': hmac })).toBe('ok')
    })

    it('signs either header family', () => {
      const legacy = shopify.sign({ payload: order, secret, id: 'w1', topic: 'orders/create' })
      expect(Object.keys(legacy.headers).sort()).toEqual([
        'x-shopify-hmac-sha256',
        'x-shopify-topic',
        'x-shopify-triggered-at',
        'x-shopify-webhook-id',
      ])
      const signed = shopify.sign({
        payload: order,
        secret,
        id: 'w1',
        eventId: 'e1',
        timestamp: 1_700_000_000,
        topic: 'orders/create',
        shopDomain: 'example.myshopify.com',
        apiVersion: '2026-01',
        headerStyle: 'events',
      })
      expect(signed.headers).toEqual({
        'shopify-hmac-sha256': hmac,
        'shopify-webhook-id': 'w1',
        'shopify-event-id': 'e1',
        'shopify-triggered-at': '2023-11-14T22:13:20.000Z',
        'shopify-topic': 'orders/create',
        'shopify-shop-domain': 'example.myshopify.com',
        'shopify-api-version': '2026-01',
      })
      expect(
        shopify.verify({ headers: signed.headers, body, secret, requireHeaders: true }).ok,
      ).toBe(true)
      const scheme = shopify.with({ headerStyle: 'events' })
      expect(Object.keys(scheme.sign({ payload: order, secret }).headers)).toContain(
        'shopify-event-id',
      )
      expect(scheme.headers[0]).toBe('shopify-hmac-sha256')
      expect(() => shopify.sign({ payload: order, secret, headerStyle: 'new' as never })).toThrow(
        /`headerStyle`.*'legacy' or 'events'/,
      )
      expect(() => shopify.with({ headerStyle: 'x' as never })).toThrow(/headerStyle/)
    })

    it('with requireHeaders, refuses a delivery without topic, domain, version or id of its family', () => {
      expect(reason(events, true)).toBe('ok')
      for (const name of Object.keys(events).slice(1)) {
        const without = Object.fromEntries(Object.entries(events).filter(([k]) => k !== name))
        expect(reason(without, true)).toBe('missing_header')
        expect(reason(without)).toBe('ok')
      }
      // The old family's routing headers do not stand in for the new family's.
      const legacyRouting = {
        'shopify-hmac-sha256': hmac,
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'example.myshopify.com',
        'x-shopify-api-version': '2026-01',
        'x-shopify-webhook-id': 'w',
      }
      expect(reason(legacyRouting, true)).toBe('missing_header')
      expect(
        reason(
          { ...legacyRouting, 'shopify-hmac-sha256': '', 'x-shopify-hmac-sha256': hmac },
          true,
        ),
      ).toBe('ok')
      const strict = shopify.with({
        requireHeaders: true,
        topic: 't',
        shopDomain: 'd',
        apiVersion: 'v',
      })
      expect(
        strict.verify({ headers: { 'x-shopify-hmac-sha256': hmac }, body, secret }),
      ).toMatchObject({
        reason: 'missing_header',
      })
      // The scheme's defaults fill the headers its own verify requires.
      const signed = strict.sign({ payload: order, secret })
      expect(strict.verify({ headers: signed.headers, body, secret }).ok).toBe(true)
      expect(() => shopify.with({ requireHeaders: true }).sign({ payload: order, secret })).toThrow(
        /`topic`/,
      )
    })
  })
  describe('fixtures and bad deliveries in either header style', () => {
    const routing = {
      topic: 'orders/create',
      shopDomain: 'example.myshopify.com',
      apiVersion: '2026-01',
    }

    it('signs a fixture as an Events delivery: shopify-* headers only, all a strict verifier needs', () => {
      const events = shopify.with({ headerStyle: 'events' })
      const { headers, body } = signedFixture('shopify/orders/create', { secret, scheme: events })
      expect(Object.keys(headers).filter((k) => k.startsWith('x-shopify-'))).toEqual([])
      expect(headers).toMatchObject({
        'shopify-topic': 'orders/create',
        'shopify-hmac-sha256': documented(secret, body),
      })
      expect(shopify.verify({ headers, body, secret, requireHeaders: true })).toMatchObject({
        ok: true,
        id: headers['shopify-webhook-id'],
      })
      // The default stays the X-Shopify-* delivery webhook subscriptions send.
      const legacy = signedFixture('shopify/orders/create', { secret })
      expect(Object.keys(legacy.headers).filter((k) => k.startsWith('shopify-'))).toEqual([])
      expect(shopify.verify({ ...legacy, secret, requireHeaders: true }).ok).toBe(true)
    })

    it.each([
      ['legacy', shopify],
      ['events', shopify.with({ headerStyle: 'events' })],
      [
        'events, requireHeaders',
        shopify.with({ headerStyle: 'events', requireHeaders: true, ...routing }),
      ],
      ['legacy, requireHeaders', shopify.with({ requireHeaders: true, ...routing })],
    ] as const)('%s: every bad delivery is judged as the scheme judges it', (_style, scheme) => {
      const cases = badDeliveries(scheme, { payload: order, secret })
      const names = cases.map((c) => c.name)
      expect(names).toContain('other-algorithm')
      if (scheme.headers.length > 2) {
        expect(names).toEqual(
          expect.arrayContaining(scheme.headers.slice(1).map((h) => `missing-header-${h}`)),
        )
      }
      for (const c of cases) {
        const own = Object.keys(c.headers).filter((k) => k.includes('shopify-hmac-sha256'))
        if (c.name !== 'missing-signature-header') expect(own).toEqual([scheme.headers[0]])
        const result = scheme.verify({ headers: c.headers, body: c.body, secret })
        // Only the signature group is refused for its signature: a replay, a retry and an
        // oversized body are validly signed (the receiver must refuse them for other reasons).
        const shouldPass = c.expect === 'accept' || c.group !== 'signature'
        expect({ name: c.name, ok: result.ok }).toEqual({ name: c.name, ok: shouldPass })
      }
    })
  })
})
