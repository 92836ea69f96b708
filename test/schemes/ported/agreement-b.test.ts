import { Signature } from '@hubspot/api-client'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { Paddle } from '@paddle/paddle-node-sdk'
import { EventWebhook } from '@sendgrid/eventwebhook'
import { isValidSlackRequest } from '@slack/bolt'
import { verifyKey } from 'discord-interactions'
import fc from 'fast-check'
import { WebhooksHelper } from 'square'
import twilioLib from 'twilio'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  discord,
  github,
  hubspot,
  linear,
  paddle,
  sendgrid,
  slack,
  square,
  twilio,
} from '../../../src/index.js'
import { falseOnThrow, formParams } from './referee-helpers.js'

/**
 * hookwright against the installed official libraries, both directions, on random requests:
 * what hookwright signs the library accepts; what the library signs (where it can sign)
 * hookwright accepts; and for random mutations of a signed request (case, whitespace, header
 * joins as Node makes them, duplicated and foreign parts, a changed body, a moved clock) both
 * give the same accept/reject, except the deliberate differences listed per provider, each
 * with the answer hookwright gives and why (docs/schemes.md, "Deliberate differences").
 *
 * Fixed seed: fast-check prints it, with the shrunk counterexample, on failure.
 */
const SEED = 1313
const runs = (numRuns: number) => ({ seed: SEED, numRuns })

interface Request {
  headers: Record<string, string>
  body: string
}

interface Provider {
  name: string
  /** The header holding the signature, and the one holding the timestamp. */
  signature: string
  timestamp?: string
  /** Separator between the parts of the signature header, when it has parts. */
  itemSep?: string
  /** The request carries a time (the clock property runs). */
  clock?: boolean
  /** Key material, made inside the test. */
  keys(): { signSecret: string; verifySecret: string }
  /** hookwright signs an event (a JSON object) at `seconds`. */
  sign(secret: string, event: Record<string, unknown>, seconds: number): Request
  /** The official library signs, where it has a signer. */
  officialSign?(secret: string, body: string, seconds: number): Promise<Request>
  ours(secret: string, request: Request, nowMs: number): boolean
  official(secret: string, request: Request, nowMs: number): Promise<boolean>
  /** Mutations on which hookwright deliberately answers otherwise: its answer and why. */
  differences?: Record<string, { ours: boolean; why: string }>
}

const url = 'https://example.com/hooks/provider?account=7'

/** Runs `fn` with `Date.now()` at `nowMs`, for libraries that read the clock. */
async function at<T>(nowMs: number, fn: () => Promise<T> | T): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(nowMs)
  try {
    return await fn()
  } finally {
    vi.useRealTimers()
  }
}

const hex64 = (secret: string) => ({ signSecret: secret, verifySecret: secret })

const providers: Provider[] = [
  {
    name: 'github (@octokit/webhooks-methods)',
    signature: 'x-hub-signature-256',
    keys: () => hex64('It’s a secret to everybody'),
    sign: (secret, event) => req(github.sign({ payload: event, secret })),
    officialSign: async (secret, body) => ({
      headers: { 'x-hub-signature-256': await octokitSign(secret, body) },
      body,
    }),
    ours: (secret, r) => github.verify({ headers: r.headers, body: r.body, secret }).ok,
    official: (secret, r) =>
      falseOnThrow(() => octokitVerify(secret, r.body, r.headers['x-hub-signature-256']!)),
  },
  {
    name: 'twilio (twilio validateRequest)',
    signature: 'x-twilio-signature',
    keys: () => hex64('12345'),
    sign: (secret, event) => req(twilio.sign({ payload: formFields(event), secret, url })),
    officialSign: async (secret, body) => ({
      headers: {
        'x-twilio-signature': twilioLib.getExpectedTwilioSignature(secret, url, formParams(body)),
      },
      body,
    }),
    ours: (secret, r) => twilio.verify({ headers: r.headers, body: r.body, secret, url }).ok,
    official: (secret, r) =>
      falseOnThrow(() =>
        twilioLib.validateRequest(
          secret,
          r.headers['x-twilio-signature']!,
          url,
          formParams(r.body),
        ),
      ),
  },
  {
    name: 'slack (@slack/bolt isValidSlackRequest)',
    signature: 'x-slack-signature',
    timestamp: 'x-slack-request-timestamp',
    clock: true,
    keys: () => hex64('8f742231b10e8888abcd99yyyzzz85a5'),
    sign: (secret, event, seconds) =>
      req(slack.sign({ payload: event, secret, timestamp: seconds })),
    ours: (secret, r, nowMs) =>
      slack.verify({ headers: r.headers, body: r.body, secret, now: new Date(nowMs) }).ok,
    official: (secret, r, nowMs) =>
      falseOnThrow(() =>
        isValidSlackRequest({
          signingSecret: secret,
          body: r.body,
          headers: {
            'x-slack-signature': r.headers['x-slack-signature']!,
            'x-slack-request-timestamp': r.headers[
              'x-slack-request-timestamp'
            ] as unknown as number,
          },
          nowMilliseconds: nowMs,
        }),
      ),
    differences: {
      'timestamp ahead of the tolerance': {
        ours: false,
        why: 'Bolt refuses only stale requests; Slack’s docs and python-slack-sdk refuse abs(now - ts) > 300, as hookwright does.',
      },
      'text after a second "=" in the signature': {
        ours: false,
        why: 'Bolt splits "v0=<hex>=junk" on "=" and compares only <hex>; hookwright compares all the text after "v0=", as python-slack-sdk does.',
      },
    },
  },
  {
    name: 'discord (discord-interactions verifyKey)',
    signature: 'x-signature-ed25519',
    timestamp: 'x-signature-timestamp',
    clock: true,
    keys: () => discord.generateSecret(),
    sign: (secret, event, seconds) =>
      req(discord.sign({ payload: event, secret, timestamp: seconds })),
    ours: (secret, r) => discord.verify({ headers: r.headers, body: r.body, secret }).ok,
    official: (secret, r) =>
      verifyKey(
        r.body,
        r.headers['x-signature-ed25519'] ?? '',
        r.headers['x-signature-timestamp'] ?? '',
        secret,
      ),
    differences: {
      'a non-hex character in the signature': {
        ours: false,
        why: 'verifyKey decodes hex pairs with parseInt, which reads "ag" as 0x0a, so some non-hex signatures still verify; hookwright accepts hex only (either case).',
      },
    },
  },
  {
    name: 'sendgrid (@sendgrid/eventwebhook verifySignature)',
    signature: 'x-twilio-email-event-webhook-signature',
    timestamp: 'x-twilio-email-event-webhook-timestamp',
    clock: true,
    keys: () => sendgrid.generateSecret(),
    sign: (secret, event, seconds) =>
      req(sendgrid.sign({ payload: event, secret, timestamp: seconds })),
    ours: (secret, r) => sendgrid.verify({ headers: r.headers, body: r.body, secret }).ok,
    differences: Object.fromEntries(
      [
        'signature leading space',
        'signature trailing space',
        'signature repeated, joined by Node ("v, v")',
        'signature before a foreign value ("v, x")',
        'text after a second "=" in the signature',
      ].map((name) => [
        name,
        {
          ours: false,
          why: 'The library’s base64 decoding skips what it cannot read (spaces, anything after the padding); hookwright decodes the signature strictly, so text around it is refused. HTTP servers strip the spaces around a header value before either sees it.',
        },
      ]),
    ),
    official: (secret, r) =>
      falseOnThrow(() => {
        const ew = new EventWebhook()
        return ew.verifySignature(
          ew.convertPublicKeyToECDSA(secret),
          r.body,
          r.headers['x-twilio-email-event-webhook-signature']!,
          r.headers['x-twilio-email-event-webhook-timestamp']!,
        )
      }),
  },
  {
    name: 'paddle (@paddle/paddle-node-sdk isSignatureValid)',
    signature: 'paddle-signature',
    clock: true,
    itemSep: ';',
    keys: () => paddle.generateSecret(),
    sign: (secret, event, seconds) =>
      req(paddle.sign({ payload: event, secret, timestamp: seconds })),
    ours: (secret, r, nowMs) =>
      paddle.verify({ headers: r.headers, body: r.body, secret, now: new Date(nowMs) }).ok,
    official: (secret, r, nowMs) =>
      at(nowMs, () =>
        falseOnThrow(() =>
          new Paddle('pdl_sdbx_apikey_dummy').webhooks.isSignatureValid(
            r.body,
            secret,
            r.headers['paddle-signature']!,
          ),
        ),
      ),
    differences: {
      'a foreign h1 added last': {
        ours: true,
        why: 'The SDK compares only the last h1; Paddle sends one per active secret during a rotation, so hookwright accepts a request when any h1 matches.',
      },
      'text after a second "=" in the signature': {
        ours: false,
        why: 'The SDK splits "h1=<hex>=junk" on "=" and keeps only <hex>; hookwright compares all the text after "h1=".',
      },
    },
  },
  {
    name: 'square (square WebhooksHelper.verifySignature)',
    signature: 'x-square-hmacsha256-signature',
    keys: () => hex64('Ibxx_5AKakO-3qeNVR61Dw'),
    sign: (secret, event) => req(square.sign({ payload: event, secret, url })),
    ours: (secret, r) => square.verify({ headers: r.headers, body: r.body, secret, url }).ok,
    official: (secret, r) =>
      falseOnThrow(() =>
        WebhooksHelper.verifySignature({
          requestBody: r.body,
          signatureHeader: r.headers['x-square-hmacsha256-signature']!,
          signatureKey: secret,
          notificationUrl: url,
        }),
      ),
  },
  {
    name: 'hubspot (@hubspot/api-client Signature.isValid v3)',
    signature: 'x-hubspot-signature-v3',
    timestamp: 'x-hubspot-request-timestamp',
    clock: true,
    keys: () => hex64('yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy'),
    sign: (secret, event, seconds) =>
      req(hubspot.sign({ payload: event, secret, url, timestamp: seconds })),
    officialSign: async (secret, body, seconds) => {
      const timestamp = seconds * 1000
      const options = { signature: '', clientSecret: secret, requestBody: body, url, timestamp }
      return {
        headers: {
          'x-hubspot-signature-v3': Signature.getSignature('POST', 'v3', options),
          'x-hubspot-request-timestamp': String(timestamp),
        },
        body,
      }
    },
    ours: (secret, r, nowMs) =>
      hubspot.verify({ headers: r.headers, body: r.body, secret, url, now: new Date(nowMs) }).ok,
    official: (secret, r, nowMs) =>
      at(nowMs, () =>
        falseOnThrow(() =>
          Signature.isValid({
            signature: r.headers['x-hubspot-signature-v3']!,
            clientSecret: secret,
            requestBody: r.body,
            url,
            method: 'POST',
            signatureVersion: 'v3',
            // isValid takes a number: a handler passes Number(header).
            timestamp: Number(r.headers['x-hubspot-request-timestamp']),
          }),
        ),
      ),
    differences: {
      'timestamp leading space': {
        ours: false,
        why: 'isValid takes the timestamp as a number, so the caller’s Number() forgives spaces and leading zeros; hookwright signs and checks the header text as HubSpot sends it.',
      },
      'timestamp leading zero': {
        ours: false,
        why: 'As above: Number("0…") drops the zero before isValid hashes it; hookwright hashes the header text.',
      },
    },
  },
  {
    name: 'linear (@linear/sdk LinearWebhookClient.verify)',
    signature: 'linear-signature',
    clock: true,
    keys: () => hex64('lin_wh_secret'),
    sign: (secret, event, seconds) =>
      req(linear.sign({ payload: event, secret, timestamp: seconds })),
    ours: (secret, r, nowMs) =>
      linear.verify({ headers: r.headers, body: r.body, secret, now: new Date(nowMs) }).ok,
    official: (secret, r, nowMs) =>
      at(nowMs, () =>
        falseOnThrow(() =>
          new LinearWebhookClient(secret).verify(
            Buffer.from(r.body),
            r.headers['linear-signature']!,
          ),
        ),
      ),
  },
]

function req(signed: { headers: Record<string, string>; body: string | Uint8Array }): Request {
  return { headers: { ...signed.headers }, body: signed.body as string }
}

/** Twilio posts form fields: the event's values as text. */
function formFields(event: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(event).map(([k, v]) => [k, JSON.stringify(v)]))
}

type Mutation = (r: Request, p: Provider) => Request | undefined

const setHeader = (r: Request, name: string | undefined, value: (v: string) => string) => {
  if (name === undefined || r.headers[name] === undefined) return undefined
  return { ...r, headers: { ...r.headers, [name]: value(r.headers[name]) } }
}

/** Each mutation, and what both must do unless the provider lists it as a difference. */
const mutations: Record<string, Mutation> = {
  unchanged: (r) => r,
  'signature upper-case': (r, p) => setHeader(r, p.signature, (v) => v.toUpperCase()),
  'signature lower-case': (r, p) => setHeader(r, p.signature, (v) => v.toLowerCase()),
  'signature leading space': (r, p) => setHeader(r, p.signature, (v) => ` ${v}`),
  'signature trailing space': (r, p) => setHeader(r, p.signature, (v) => `${v} `),
  'signature repeated, joined by Node ("v, v")': (r, p) =>
    setHeader(r, p.signature, (v) => `${v}, ${v}`),
  'signature after a foreign value ("x, v")': (r, p) => setHeader(r, p.signature, (v) => `x, ${v}`),
  'signature before a foreign value ("v, x")': (r, p) =>
    setHeader(r, p.signature, (v) => `${v}, x`),
  'a space after each separator': (r, p) =>
    p.itemSep === undefined
      ? undefined
      : setHeader(r, p.signature, (v) => v.split(p.itemSep!).join(`${p.itemSep} `)),
  'parts duplicated': (r, p) =>
    p.itemSep === undefined ? undefined : setHeader(r, p.signature, (v) => `${v}${p.itemSep}${v}`),
  'a foreign h1 added last': (r, p) =>
    p.itemSep === undefined
      ? undefined
      : setHeader(r, p.signature, (v) => `${v}${p.itemSep}h1=${'0'.repeat(64)}`),
  'a foreign h1 added first': (r, p) =>
    p.itemSep === undefined
      ? undefined
      : setHeader(r, p.signature, (v) => v.replace(';', `;h1=${'0'.repeat(64)};`)),
  'text after a second "=" in the signature': (r, p) =>
    r.headers[p.signature]?.includes('=')
      ? setHeader(r, p.signature, (v) => `${v}=junk`)
      : undefined,
  // The last byte written "0Y" rewritten "Yg": parseInt("Yg", 16) reads the same byte.
  'a non-hex character in the signature': (r, p) =>
    /^[0-9a-f]*0[0-9a-f]$/.test(r.headers[p.signature] ?? '')
      ? setHeader(r, p.signature, (v) => `${v.slice(0, -2)}${v.slice(-1)}g`)
      : undefined,
  'signature header missing': (r, p) => {
    const headers = { ...r.headers }
    delete headers[p.signature]
    return { ...r, headers }
  },
  'timestamp leading space': (r, p) => setHeader(r, p.timestamp, (v) => ` ${v}`),
  'timestamp leading zero': (r, p) => setHeader(r, p.timestamp, (v) => `0${v}`),
  'body with a trailing space': (r) => ({ ...r, body: `${r.body} ` }),
  'body with one more character': (r) => ({
    ...r,
    body: `${r.body.slice(0, -1)}x${r.body.slice(-1)}`,
  }),
}

const events = fc.dictionary(
  fc
    .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 })
    .filter((k) => k !== 'webhookTimestamp' && k !== '__proto__'),
  fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), fc.integer(), fc.boolean()),
  { minKeys: 1, maxKeys: 5 },
)

const SIGNED_AT = 1_700_000_000

describe.each(providers)('agreement: $name', (p) => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('what hookwright signs, the official library accepts', async () => {
    const { signSecret, verifySecret } = p.keys()
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const request = p.sign(signSecret, event, SIGNED_AT)
        expect(await p.official(verifySecret, request, SIGNED_AT * 1000)).toBe(true)
        expect(p.ours(verifySecret, request, SIGNED_AT * 1000)).toBe(true)
      }),
      runs(40),
    )
  })

  it('both give the same answer on mutated requests, except the documented differences', async () => {
    const { signSecret, verifySecret } = p.keys()
    const names = Object.keys(mutations)
    await fc.assert(
      fc.asyncProperty(events, fc.constantFrom(...names), async (event, name) => {
        const mutated = mutations[name]!(p.sign(signSecret, event, SIGNED_AT), p)
        if (mutated === undefined) return
        const nowMs = SIGNED_AT * 1000
        const ours = p.ours(verifySecret, mutated, nowMs)
        const difference = p.differences?.[name]
        if (difference) {
          expect({ name, ours }).toEqual({ name, ours: difference.ours })
        } else {
          const official = await p.official(verifySecret, mutated, nowMs)
          expect({ name, ours }).toEqual({ name, ours: official })
        }
      }),
      runs(150),
    )
  })

  it('every difference it lists is real: the library answers otherwise on some request', async () => {
    const { signSecret, verifySecret } = p.keys()
    for (const [name, difference] of Object.entries(p.differences ?? {})) {
      expect(difference.why.length).toBeGreaterThan(40)
      let seen = false
      for (let i = 0; i < 20 && !seen; i++) {
        const signed = p.sign(signSecret, { id: `evt_${i}` }, SIGNED_AT)
        const ahead = name === 'timestamp ahead of the tolerance'
        const request = ahead ? signed : mutations[name]!(signed, p)
        const nowMs = SIGNED_AT * 1000 - (ahead ? 400_000 : 0)
        if (request === undefined) continue
        expect(p.ours(verifySecret, request, nowMs)).toBe(difference.ours)
        seen = (await p.official(verifySecret, request, nowMs)) !== difference.ours
      }
      expect({ name, seen }).toEqual({ name, seen: true })
    }
  })
})

describe.each(providers.filter((p) => p.officialSign !== undefined))(
  'agreement, the other way: $name',
  (p) => {
    it('what the official library signs, hookwright accepts', async () => {
      const { signSecret, verifySecret } = p.keys()
      await fc.assert(
        fc.asyncProperty(events, async (event) => {
          const body = p.sign(signSecret, event, SIGNED_AT).body
          const request = await p.officialSign!(signSecret, body, SIGNED_AT)
          expect(p.ours(verifySecret, request, SIGNED_AT * 1000)).toBe(true)
        }),
        runs(40),
      )
    })
  },
)

// Every provider whose request carries a time: those that check it and those (Discord,
// SendGrid) whose libraries check none, where hookwright by default checks none either.
describe.each(providers.filter((p) => p.clock))('agreement on the clock: $name', (p) => {
  it('both give the same answer as the clock moves around the tolerance, in milliseconds', async () => {
    const { signSecret, verifySecret } = p.keys()
    const request = p.sign(signSecret, { id: 'evt_clock' }, SIGNED_AT)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -400_000, max: 400_000 }), async (offsetMs) => {
        const nowMs = SIGNED_AT * 1000 + offsetMs
        const ours = p.ours(verifySecret, request, nowMs)
        const official = await p.official(verifySecret, request, nowMs)
        const ahead =
          offsetMs < -300_000 ? p.differences?.['timestamp ahead of the tolerance'] : undefined
        expect({ offsetMs, ours }).toEqual({ offsetMs, ours: ahead ? ahead.ours : official })
      }),
      {
        ...runs(150),
        examples: [
          -300_000, -300_001, 300_000, 300_001, 300_999, 301_000, 5_000, 5_001, 5_999, 60_000,
          60_001, -60_000, -60_001,
        ].map((ms) => [ms] as [number]),
      },
    )
  })
})
