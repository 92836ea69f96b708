import { createHmac, timingSafeEqual } from 'node:crypto'
import '@shopify/shopify-api/adapters/node'
import { Signature } from '@hubspot/api-client'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { Paddle } from '@paddle/paddle-node-sdk'
import { EventWebhook } from '@sendgrid/eventwebhook'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import { isValidSlackRequest } from '@slack/bolt'
import { verifyKey } from 'discord-interactions'
import { WebhooksHelper } from 'square'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { Webhook as SvixWebhook } from 'svix'
import twilioLib from 'twilio'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { badDeliveries, getScheme, schemeNames, type BadDelivery } from '../../src/index.js'
import { falseOnThrow, formParams } from '../schemes/ported/referee-helpers.js'

/**
 * An oracle for badDeliveries that is not hookwright: for each scheme, the provider's official
 * library (or, where none exists, the signature computed here by hand from the provider's
 * documentation with node:crypto) must accept every case that expects `accept`, the first
 * request of the retry and the replay (validly signed: only a receiver's memory refuses it), and
 * refuse every signature case that expects `reject`. The cases' own `reason`s come from
 * hookwright's verifier; this file checks the verdicts against someone else's code.
 */
const NOW = 1_700_000_000
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', amount: 1200 }
const url = 'https://example.com/hooks/provider?account=7'

// The libraries that check a timestamp read Date.now(): the same fixed clock as the cases.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW * 1000)
})
afterEach(() => {
  vi.useRealTimers()
})

interface Request {
  headers: Record<string, string>
  body: string
  url: string
}

interface Oracle {
  /** Whose verdict this is: the library, or the documentation followed by hand. */
  by: string
  /** The verdict on one request, with the key the receiver holds. */
  accepts(request: Request, verifySecret: string): Promise<boolean> | boolean
  /** Cases on which the oracle knowingly answers otherwise than the case expects, and why. */
  differences?: Record<string, string>
}

const shopifyConfig = (secret: string) => ({
  apiKey: 'test_api_key',
  apiSecretKey: secret,
  hostName: 'test_host_name',
  apiVersion: ApiVersion.January26,
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: async () => {} },
})

/** Equal strings, compared as the documentation says a receiver must: in constant time. */
const sameText = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

const hmacHex = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text).digest('hex')

/** Within `tolerance` seconds of NOW on either side, the timestamp header read as seconds. */
const fresh = (timestamp: string | undefined, tolerance: number) =>
  timestamp !== undefined &&
  /^\d+$/.test(timestamp) &&
  Math.abs(NOW - Number(timestamp)) <= tolerance

const oracles: Record<string, Oracle> = {
  stripe: {
    by: 'stripe webhooks.constructEvent',
    accepts: (r, secret) =>
      falseOnThrow(() => {
        new Stripe('sk_test_dummy').webhooks.constructEvent(
          r.body,
          r.headers['stripe-signature'] ?? '',
          secret,
        )
        return true
      }),
  },
  github: {
    by: '@octokit/webhooks-methods verify',
    accepts: (r, secret) =>
      falseOnThrow(() => octokitVerify(secret, r.body, r.headers['x-hub-signature-256'] ?? '')),
  },
  standardWebhooks: {
    by: 'standardwebhooks Webhook.verify',
    accepts: (r, secret) =>
      falseOnThrow(() => {
        new StandardWebhook(secret).verify(r.body, r.headers)
        return true
      }),
  },
  svix: {
    by: 'svix Webhook.verify',
    accepts: (r, secret) =>
      falseOnThrow(() => {
        new SvixWebhook(secret).verify(r.body, r.headers)
        return true
      }),
  },
  shopify: {
    by: '@shopify/shopify-api webhooks.validate',
    accepts: async (r, secret) => {
      // validate also wants the routing headers, which are not signed.
      const headers = {
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': 'example.myshopify.com',
        'x-shopify-api-version': '2026-01',
        ...r.headers,
      }
      const result = (await shopifyApi(shopifyConfig(secret)).webhooks.validate({
        rawBody: r.body,
        rawRequest: { headers, method: 'POST', url: '/webhooks' },
        rawResponse: {},
      } as never)) as { valid: boolean }
      return result.valid
    },
  },
  slack: {
    by: '@slack/bolt isValidSlackRequest',
    accepts: (r, secret) =>
      falseOnThrow(() =>
        isValidSlackRequest({
          signingSecret: secret,
          body: r.body,
          headers: {
            'x-slack-signature': r.headers['x-slack-signature']!,
            'x-slack-request-timestamp': r.headers['x-slack-request-timestamp'] as never,
          },
          nowMilliseconds: NOW * 1000,
        }),
      ),
    differences: {
      'timestamp-in-future':
        "Bolt refuses only stale requests; Slack's docs and python-slack-sdk refuse abs(now - ts) > 300 s, as hookwright does (docs/schemes.md).",
    },
  },
  twilio: {
    by: 'twilio validateRequest',
    accepts: (r, secret) =>
      falseOnThrow(() =>
        twilioLib.validateRequest(
          secret,
          r.headers['x-twilio-signature'] ?? '',
          r.url,
          formParams(r.body),
        ),
      ),
  },
  discord: {
    by: 'discord-interactions verifyKey',
    accepts: (r, publicKey) =>
      falseOnThrow(() =>
        verifyKey(
          r.body,
          r.headers['x-signature-ed25519'] ?? '',
          r.headers['x-signature-timestamp'] ?? '',
          publicKey,
        ),
      ),
  },
  sendgrid: {
    by: '@sendgrid/eventwebhook verifySignature',
    accepts: (r, publicKey) =>
      falseOnThrow(() => {
        const ew = new EventWebhook()
        return ew.verifySignature(
          ew.convertPublicKeyToECDSA(publicKey),
          r.body,
          r.headers['x-twilio-email-event-webhook-signature'] ?? '',
          r.headers['x-twilio-email-event-webhook-timestamp'] ?? '',
        )
      }),
  },
  paddle: {
    by: '@paddle/paddle-node-sdk webhooks.isSignatureValid',
    accepts: (r, secret) =>
      falseOnThrow(() =>
        new Paddle('pdl_sdbx_apikey_dummy').webhooks.isSignatureValid(
          r.body,
          secret,
          r.headers['paddle-signature'] ?? '',
        ),
      ),
  },
  square: {
    by: 'square WebhooksHelper.verifySignature',
    accepts: (r, secret) =>
      falseOnThrow(() =>
        WebhooksHelper.verifySignature({
          requestBody: r.body,
          signatureHeader: r.headers['x-square-hmacsha256-signature'] ?? '',
          signatureKey: secret,
          notificationUrl: r.url,
        }),
      ),
  },
  hubspot: {
    by: '@hubspot/api-client Signature.isValid (v3)',
    accepts: (r, secret) =>
      falseOnThrow(() =>
        Signature.isValid({
          signature: r.headers['x-hubspot-signature-v3'] ?? '',
          clientSecret: secret,
          requestBody: r.body,
          url: r.url,
          method: 'POST',
          signatureVersion: 'v3',
          timestamp: Number(r.headers['x-hubspot-request-timestamp']),
        }),
      ),
  },
  linear: {
    by: '@linear/sdk LinearWebhookClient.verify',
    accepts: (r, secret) =>
      falseOnThrow(() =>
        new LinearWebhookClient(secret).verify(
          Buffer.from(r.body),
          r.headers['linear-signature'] ?? '',
        ),
      ),
  },
  // No official library: the signature as each provider's documentation defines it.
  zoom: {
    // https://developers.zoom.us/docs/api/webhooks/#verify-with-zooms-header
    by: 'by hand: "v0=" + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}"), 300 s either way',
    accepts: (r, secret) => {
      const ts = r.headers['x-zm-request-timestamp']
      return (
        fresh(ts, 300) &&
        sameText(r.headers['x-zm-signature'], `v0=${hmacHex(secret, `v0:${ts}:${r.body}`)}`)
      )
    },
  },
  meta: {
    // https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
    by: 'by hand: "sha256=" + hex HMAC-SHA256(app secret, body)',
    accepts: (r, secret) =>
      sameText(r.headers['x-hub-signature-256'], `sha256=${hmacHex(secret, r.body)}`),
  },
  hmac: {
    by: "by hand: hex HMAC-SHA256(secret, body), the generic scheme's defaults",
    accepts: (r, secret) => sameText(r.headers['x-webhook-signature'], hmacHex(secret, r.body)),
  },
  token: {
    by: 'by hand: the header is the secret, exactly',
    accepts: (r, secret) => sameText(r.headers['x-webhook-token'], secret),
  },
  gitlab: {
    // https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook
    by: 'by hand: X-Gitlab-Token is the secret token, exactly',
    accepts: (r, secret) => sameText(r.headers['x-gitlab-token'], secret),
  },
}

/** The requests the oracle judges: what a receiver would see for each case. */
function requests(cases: BadDelivery[]): { label: string; request: Request; accept: boolean }[] {
  const asRequest = (
    c: Pick<BadDelivery, 'headers' | 'body'> & { url?: string | undefined },
  ): Request => ({
    headers: c.headers,
    body: Buffer.from(c.body).toString('utf8'),
    url: c.url ?? url,
  })
  const out: { label: string; request: Request; accept: boolean }[] = []
  for (const c of cases) {
    if (c.group === 'signature') {
      out.push({ label: c.name, request: asRequest(c), accept: c.expect === 'accept' })
    } else if (c.sendTwice) {
      // Validly signed: the first send must be accepted.
      out.push({ label: `${c.name} (first send)`, request: asRequest(c), accept: true })
    } else if (c.sendFirst) {
      const first = { ...c.sendFirst, url: c.url }
      out.push({ label: `${c.name} (first)`, request: asRequest(first), accept: true })
      out.push({ label: c.name, request: asRequest(c), accept: true })
    }
  }
  return out
}

describe('badDeliveries against an independent oracle', () => {
  it('has an oracle for every registered scheme', () => {
    expect(Object.keys(oracles).sort()).toEqual([...schemeNames].sort())
  })

  it.each(schemeNames)(
    '%s: the oracle accepts the valid deliveries and refuses every signature case that must be refused',
    async (name) => {
      const oracle = oracles[name]!
      const { signSecret, verifySecret } = getScheme(name).generateSecret()
      const cases = badDeliveries(name, {
        payload,
        secret: signSecret,
        verifySecret,
        url,
        now: NOW,
        // The oversized body is not judged here: keep it small.
        maxBodyBytes: 4096,
      })
      const judged = requests(cases)
      expect(judged[0]).toMatchObject({ label: 'valid', accept: true })
      expect(judged.filter((j) => !j.accept).length).toBeGreaterThanOrEqual(5)
      for (const { label, request, accept } of judged) {
        const verdict = await oracle.accepts(request, verifySecret)
        const why = oracle.differences?.[label]
        const expected = why === undefined ? accept : !accept
        expect({ scheme: name, by: oracle.by, case: label, accepted: verdict }).toEqual({
          scheme: name,
          by: oracle.by,
          case: label,
          accepted: expected,
        })
      }
      // A listed difference is a case that exists: none is stale.
      for (const label of Object.keys(oracle.differences ?? {})) {
        expect(judged.map((j) => j.label)).toContain(label)
      }
    },
  )
})
