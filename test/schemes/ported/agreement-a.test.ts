import { createHmac } from 'node:crypto'
import '@shopify/shopify-api/adapters/node'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import fc from 'fast-check'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { Webhook as SvixWebhook } from 'svix'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { shopify, standardWebhooks, stripe, svix } from '../../../src/index.js'

/**
 * hookwright against the installed official libraries, both ways and under mutation: what one
 * signs the other accepts, and for a signed request changed at random (whitespace, case, header
 * joins, padding, duplicated, dropped and reordered parts, a second header family) both give the
 * same accept/reject. The seed is fixed; fast-check prints it, with the path to the failing
 * case, when a property fails. Inputs stay inside what every verifier can take: bodies are
 * UTF-8 text (stripe-node and the Standard Webhooks libraries verify decoded text) and JSON
 * where the library parses it; the documented differences (docs/schemes.md) are not generated.
 */
const SEED = 1313
// AGREEMENT_SEED / AGREEMENT_RUNS explore further by hand; the suite runs the fixed seed.
const RUNS = {
  seed: Number(process.env.AGREEMENT_SEED ?? SEED),
  numRuns: Number(process.env.AGREEMENT_RUNS ?? 300),
}

/** Counts verdicts, so a property that only ever saw one of them fails rather than passes idly. */
function verdicts() {
  const seen = { accept: 0, reject: 0 }
  return {
    record(ok: boolean) {
      seen[ok ? 'accept' : 'reject']++
    },
    expectBoth(atLeast = 10) {
      expect(seen.accept).toBeGreaterThanOrEqual(atLeast)
      expect(seen.reject).toBeGreaterThanOrEqual(atLeast)
    },
  }
}
const NOW = 1_700_000_000
const NOW_MS = NOW * 1000 + 500

// The Standard Webhooks libraries read Date.now(): one fixed clock, shared with hookwright's.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW_MS)
})
afterEach(() => {
  vi.useRealTimers()
})

/** A change to one header value; `other` is a second, foreign value of the same header. */
type Mutation = { name: string; apply(value: string, other: string): string }

/** Random changes a proxy, a framework or a careless handler makes to a header value. */
function mutations(separators: readonly string[]): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: 1000 })
  const sep = fc.constantFrom(...separators)
  return fc.oneof(
    fc.record({ i: at, ws: fc.constantFrom(' ', '\t', '  ') }).map(({ i, ws }) => ({
      name: `insert ${JSON.stringify(ws)} at ${i}`,
      apply: (v: string) => v.slice(0, i % (v.length + 1)) + ws + v.slice(i % (v.length + 1)),
    })),
    at.map((i) => ({
      name: `flip the case of character ${i}`,
      apply: (v: string) => {
        if (v.length === 0) return v
        const k = i % v.length
        const c = v[k]!
        const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()
        return v.slice(0, k) + flipped + v.slice(k + 1)
      },
    })),
    fc.constantFrom(', ', ',', ' ').chain((joiner) =>
      fc.boolean().map((mineFirst) => ({
        name: `join with a foreign value by ${JSON.stringify(joiner)}, ${mineFirst ? 'mine' : 'foreign'} first`,
        apply: (v: string, other: string) => (mineFirst ? v + joiner + other : other + joiner + v),
      })),
    ),
    fc.record({ s: sep, i: at }).map(({ s, i }) => ({
      name: `duplicate part ${i} of ${JSON.stringify(s)}`,
      apply: (v: string) => {
        const parts = v.split(s)
        const k = i % parts.length
        parts.splice(k, 0, parts[k]!)
        return parts.join(s)
      },
    })),
    fc.record({ s: sep, i: at }).map(({ s, i }) => ({
      name: `drop part ${i} of ${JSON.stringify(s)}`,
      apply: (v: string) => {
        const parts = v.split(s)
        parts.splice(i % parts.length, 1)
        return parts.join(s)
      },
    })),
    fc.record({ s: sep, i: at }).map(({ s, i }) => ({
      name: `rotate the parts of ${JSON.stringify(s)} by ${i}`,
      apply: (v: string) => {
        const parts = v.split(s)
        const k = i % parts.length
        return [...parts.slice(k), ...parts.slice(0, k)].join(s)
      },
    })),
    fc.constantFrom('=', '==', '=x', ',x', ',v1=', ',v1', ',t', ' v1,').map((tail) => ({
      name: `append ${JSON.stringify(tail)}`,
      apply: (v: string) => v + tail,
    })),
    at.map((i) => ({
      name: `cut after character ${i}`,
      apply: (v: string) => v.slice(0, i % (v.length + 1)),
    })),
    fc.constant({ name: 'strip "=" padding', apply: (v: string) => v.replace(/=+$/, '') }),
    fc.constant({ name: 'unchanged', apply: (v: string) => v }),
  )
}

const print = (m: Mutation) => m.name

describe('stripe: hookwright and stripe-node agree', () => {
  const official = new Stripe('sk_test_dummy')
  const officialAccepts = (body: string, header: string, secret: string) => {
    try {
      official.webhooks.signature!.verifyHeader(body, header, secret, 300, undefined, NOW_MS)
      return true
    } catch {
      return false
    }
  }

  it('what hookwright signs, stripe-node verifies, and the other way round', () => {
    const secrets = fc.base64String({ minLength: 8, maxLength: 44 }).map((s) => `whsec_${s}`)
    const bodies = fc.oneof(fc.json(), fc.string({ unit: 'grapheme', minLength: 1 }))
    fc.assert(
      fc.property(secrets, bodies, fc.integer({ min: -10_000, max: 300 }), (secret, body, age) => {
        const timestamp = NOW - age
        const ours = stripe.sign({ payload: body, secret, timestamp })
        expect(officialAccepts(body, ours.headers['stripe-signature']!, secret)).toBe(true)
        const header = official.webhooks.generateTestHeaderString({
          payload: body,
          secret,
          timestamp,
        })
        expect(header).toBe(ours.headers['stripe-signature'])
        expect(
          stripe.verify({ headers: { 'stripe-signature': header }, body, secret, now: NOW }).ok,
        ).toBe(true)
      }),
      RUNS,
    )
  })

  it('give the same verdict on a mutated Stripe-Signature', () => {
    const secret = 'whsec_agreement'
    const body = JSON.stringify({ id: 'evt_1', object: 'event' }, null, 2)
    const seen = verdicts()
    fc.assert(
      fc.property(
        fc.integer({ min: -400, max: 400 }),
        fc.integer({ min: -400, max: 400 }),
        fc.boolean(),
        fc.array(
          mutations([',', '=']).map((m) => Object.assign(m, { toString: () => print(m) })),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        (age, otherAge, foreignSecret, changes) => {
          const mine = stripe.sign({ payload: body, secret, timestamp: NOW - age }).headers[
            'stripe-signature'
          ]!
          const other = stripe.sign({
            payload: body,
            secret: foreignSecret ? 'whsec_another_endpoint' : secret,
            timestamp: NOW - otherAge,
          }).headers['stripe-signature']!
          const header = changes.reduce((v, m) => m.apply(v, other), mine)
          const ours = stripe.verify({
            headers: { 'stripe-signature': header },
            body,
            secret,
            now: NOW,
          })
          expect({ header, ok: ours.ok }).toEqual({
            header,
            ok: officialAccepts(body, header, secret),
          })
          seen.record(ours.ok)
        },
      ),
      RUNS,
    )
    seen.expectBoth()
  })
})

/** Standard Webhooks headers as the official libraries sign them. */
function officialHeaders(
  prefix: 'webhook' | 'svix',
  secret: string,
  id: string,
  ts: number,
  body: string,
) {
  const signature = new StandardWebhook(secret).sign(id, new Date(ts * 1000), body)
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(ts),
    [`${prefix}-signature`]: signature,
  }
}

// Keys of 3 to 40 bytes, so every padding length occurs, sometimes written without the padding.
// (@stablelib/base64, under the JavaScript libraries, refuses unpadded text under 4 characters.)
const swSecrets = fc
  .record({
    key: fc.uint8Array({ minLength: 3, maxLength: 40 }),
    prefix: fc.boolean(),
    unpadded: fc.boolean(),
  })
  .map(({ key, prefix, unpadded }) => {
    const text = Buffer.from(key).toString('base64')
    return `${prefix ? 'whsec_' : ''}${unpadded ? text.replace(/=+$/, '') : text}`
  })
const ids = fc.stringMatching(/^msg_[A-Za-z0-9]{1,24}$/)

describe.each([
  {
    name: 'standardWebhooks',
    scheme: standardWebhooks,
    prefix: 'webhook',
    other: 'svix',
    Official: StandardWebhook,
  },
  { name: 'svix', scheme: svix, prefix: 'svix', other: 'webhook', Official: SvixWebhook },
] as const)(
  '$name: hookwright and its official library agree',
  ({ scheme, prefix, other, Official }) => {
    const officialAccepts = (secret: string, body: string, headers: Record<string, string>) => {
      try {
        new Official(secret).verify(body, headers)
        return true
      } catch {
        return false
      }
    }

    it('what hookwright signs, the library verifies, and the other way round', () => {
      fc.assert(
        fc.property(
          swSecrets,
          ids,
          fc.json(),
          fc.integer({ min: -300, max: 300 }),
          (secret, id, body, age) => {
            const timestamp = NOW - age
            const ours = scheme.sign({ payload: body, secret, id, timestamp, headerPrefix: prefix })
            expect(officialAccepts(secret, body, ours.headers)).toBe(true)
            const theirs = officialHeaders(prefix, secret, id, timestamp, body)
            expect(theirs).toEqual(ours.headers)
            expect(scheme.verify({ headers: theirs, body, secret }).ok).toBe(true)
          },
        ),
        RUNS,
      )
    })

    it('give the same verdict on mutated signature headers and on both header families at once', () => {
      const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr'
      const body = '{"type":"contact.created","data":{"id":"1f81eb52"}}'
      const seen = verdicts()
      fc.assert(
        fc.property(
          fc.integer({ min: -400, max: 400 }),
          fc.array(
            mutations([' ', ',']).map((m) => Object.assign(m, { toString: () => print(m) })),
            {
              minLength: 1,
              maxLength: 3,
            },
          ),
          fc.constantFrom('none', 'valid', 'stale', 'foreign'),
          fc.constantFrom('lower', 'Title', 'UPPER'),
          (age, changes, second, casing) => {
            const mine = scheme.sign({
              payload: body,
              secret,
              id: 'msg_a',
              timestamp: NOW - age,
              headerPrefix: prefix,
            })
            const foreign = scheme.sign({
              payload: body,
              secret: 'whsec_' + Buffer.alloc(24, 9).toString('base64'),
              id: 'msg_a',
              timestamp: NOW - age,
              headerPrefix: prefix,
            }).headers[`${prefix}-signature`]!
            const headers: Record<string, string> = { ...mine.headers }
            headers[`${prefix}-signature`] = changes.reduce(
              (v, m) => m.apply(v, foreign),
              headers[`${prefix}-signature`]!,
            )
            // The other family alongside: valid, stale (10 minutes old) or signed with another key.
            if (second !== 'none') {
              Object.assign(
                headers,
                scheme.sign({
                  payload: body,
                  secret:
                    second === 'foreign'
                      ? 'whsec_' + Buffer.alloc(24, 3).toString('base64')
                      : secret,
                  id: 'msg_b',
                  timestamp: second === 'stale' ? NOW - 600 : NOW,
                  headerPrefix: other,
                }).headers,
              )
            }
            const cased = Object.fromEntries(
              Object.entries(headers).map(([k, v]) => [
                casing === 'lower'
                  ? k
                  : casing === 'UPPER'
                    ? k.toUpperCase()
                    : k.replace(/(^|-)\w/g, (c) => c.toUpperCase()),
                v,
              ]),
            )
            const ours = scheme.verify({ headers: cased, body, secret })
            expect({ cased, ok: ours.ok }).toEqual({
              cased,
              ok: officialAccepts(secret, body, cased),
            })
            seen.record(ours.ok)
          },
        ),
        RUNS,
      )
      seen.expectBoth()
    })
  },
)

describe('shopify: hookwright and @shopify/shopify-api agree (both header styles)', () => {
  const apiSecretKey = 'test_secret_key'
  const config = (secret: string) => ({
    apiKey: 'test_api_key',
    apiSecretKey: secret,
    hostName: 'test_host_name',
    apiVersion: ApiVersion.January26,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: async () => {} },
  })
  const official = shopifyApi(config(apiSecretKey))
  /** `webhooks.validate`'s verdict: whether it accepts, and which family it read. */
  const validate = async (
    api: typeof official,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ valid: boolean; webhookType?: string }> => {
    const rawRequest = { headers, method: 'POST', url: '/webhooks' }
    return (await api.webhooks.validate({
      rawBody: body,
      rawRequest,
      rawResponse: {},
    } as never)) as {
      valid: boolean
      webhookType?: string
    }
  }
  const routing = {
    topic: 'orders/create',
    shopDomain: 'example.myshopify.com',
    apiVersion: '2026-01',
  }
  const STYLES = ['legacy', 'events'] as const
  /** The family shopify-api reports for each style (`webhookType`) and its HMAC header. */
  const TYPE = { legacy: 'webhooks', events: 'events' } as const
  const HMAC = { legacy: 'x-shopify-hmac-sha256', events: 'shopify-hmac-sha256' } as const
  /** The headers validate requires of each family, HMAC first. */
  const REQUIRED = {
    legacy: [
      'x-shopify-hmac-sha256',
      'x-shopify-topic',
      'x-shopify-shop-domain',
      'x-shopify-api-version',
      'x-shopify-webhook-id',
    ],
    events: [
      'shopify-hmac-sha256',
      'shopify-topic',
      'shopify-shop-domain',
      'shopify-api-version',
      'shopify-webhook-id',
      'shopify-event-id',
    ],
  } as const

  /**
   * A request as shopify-api's own tests build one (utils.ts `headers()`): webhook requests carry
   * `X-Shopify-*` headers, Events requests both families with the same values.
   */
  const theirHeaders = (style: 'legacy' | 'events', hmac: string): Record<string, string> => {
    const legacy = {
      'X-Shopify-API-Version': routing.apiVersion,
      'X-Shopify-Shop-Domain': routing.shopDomain,
      'X-Shopify-Hmac-Sha256': hmac,
      'X-Shopify-Topic': routing.topic,
      'X-Shopify-Webhook-Id': 'w1',
    }
    if (style === 'legacy') return legacy
    return {
      ...legacy,
      'shopify-api-version': routing.apiVersion,
      'shopify-shop-domain': routing.shopDomain,
      'shopify-hmac-sha256': hmac,
      'shopify-topic': routing.topic,
      'shopify-webhook-id': 'w1',
      'shopify-event-id': 'e1',
    }
  }

  it.each(STYLES)(
    'what hookwright signs in the %s style, shopify-api validates, and the other way round',
    async (headerStyle) => {
      const bodies = fc.oneof(fc.json(), fc.string({ unit: 'grapheme', minLength: 1 }))
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1 }), bodies, async (secret, body) => {
          const ours = shopify.sign({ payload: body, secret, headerStyle, ...routing })
          expect(Object.keys(ours.headers)).toEqual(
            expect.arrayContaining([...REQUIRED[headerStyle]]),
          )
          const verdict = await validate(shopifyApi(config(secret)), ours.headers, body)
          expect(verdict).toMatchObject({ valid: true, webhookType: TYPE[headerStyle] })
          // shopify-api signs no webhooks; its tests sign with utils.ts hmac(): the same bytes.
          const theirs = createHmac('sha256', secret).update(body).digest('base64')
          expect(theirs).toBe(ours.headers[HMAC[headerStyle]])
          const headers = theirHeaders(headerStyle, theirs)
          expect(shopify.verify({ headers, body, secret, requireHeaders: true })).toMatchObject({
            ok: true,
            id: 'w1',
          })
        }),
        { ...RUNS, numRuns: 50 },
      )
    },
  )

  /**
   * The other family's headers next to a signed delivery: none, a genuine set, a set signed with
   * another key, or a set whose HMAC header is empty; the precedence rule decides which is read.
   */
  type Second = 'none' | 'genuine' | 'foreign' | 'empty'

  it.each(STYLES)(
    'give the same verdict on a mutated %s delivery, with the other family beside it and requireHeaders',
    async (headerStyle) => {
      const body = '{"id":820982911946154500,"email":"jon@example.com"}'
      const other = headerStyle === 'legacy' ? 'events' : 'legacy'
      const foreign = createHmac('sha256', 'another app').update(body).digest('base64')
      const seen = verdicts()
      const read = { legacy: 0, events: 0 }
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            mutations([' ', ',']).map((m) => Object.assign(m, { toString: () => print(m) })),
            { minLength: 1, maxLength: 3 },
          ),
          fc.constantFrom<Second>('none', 'genuine', 'foreign', 'empty'),
          fc.subarray([...REQUIRED[headerStyle], ...REQUIRED[other]]),
          fc.boolean(),
          async (changes, second, dropped, title) => {
            const sign = (style: 'legacy' | 'events', secret: string) =>
              shopify.sign({
                payload: body,
                secret,
                headerStyle: style,
                id: `w-${style}`,
                eventId: `e-${style}`,
                ...routing,
              }).headers
            const headers: Record<string, string> = { ...sign(headerStyle, apiSecretKey) }
            headers[HMAC[headerStyle]] = changes.reduce(
              (v, m) => m.apply(v, foreign),
              headers[HMAC[headerStyle]]!,
            )
            if (second !== 'none') {
              Object.assign(
                headers,
                sign(other, second === 'foreign' ? 'another app' : apiSecretKey),
              )
              if (second === 'empty') headers[HMAC[other]] = ''
            }
            for (const name of dropped) delete headers[name]
            const cased = title
              ? Object.fromEntries(
                  Object.entries(headers).map(([k, v]) => [
                    k.replace(/(^|-)\w/g, (c) => c.toUpperCase()),
                    v,
                  ]),
                )
              : headers
            const ours = shopify.verify({
              headers: cased,
              body,
              secret: apiSecretKey,
              requireHeaders: true,
            })
            const theirs = await validate(official, cased, body)
            expect({ cased, ok: ours.ok }).toEqual({ cased, ok: theirs.valid })
            if (ours.ok && theirs.webhookType) {
              // Both read the same family: hookwright's id is that family's webhook id.
              const style = theirs.webhookType === 'events' ? 'events' : 'legacy'
              expect(ours.id).toBe(`w-${style}`)
              read[style]++
            }
            seen.record(ours.ok)
          },
        ),
        RUNS,
      )
      // Most mutations break an HMAC, and so does each dropped header: acceptances are rarer here.
      seen.expectBoth(3)
      // Each family was read in an accepted delivery, so the precedence itself was compared.
      expect(read.legacy).toBeGreaterThan(0)
      expect(read.events).toBeGreaterThan(0)
    },
  )
})
