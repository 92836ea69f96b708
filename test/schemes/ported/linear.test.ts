import { createHmac } from 'node:crypto'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { linear } from '../../../src/index.js'

/**
 * Ported from linear/linear `packages/sdk/src/_tests/LinearWebhooks.test.ts` and the signature
 * and timestamp cases of `packages/sdk/src/_tests/webhook-handler.test.ts`. Each case is checked
 * by hookwright's `linear` scheme and by the installed @linear/sdk 98 `LinearWebhookClient.verify`
 * at the same (fake) time; both must give the source test's answer.
 */
const WEBHOOKS = 'linear/linear packages/sdk/src/_tests/LinearWebhooks.test.ts'
const HANDLER = 'linear/linear packages/sdk/src/_tests/webhook-handler.test.ts'

const secret = 'SECRET'
const now = 1_754_629_200_000 // 2025-08-08T05:00:00Z, the handler test's createdAt

const comment = (webhookTimestamp?: number) => ({
  action: 'create',
  data: {
    id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9',
    createdAt: '2020-01-23T12:53:18.084Z',
    updatedAt: '2020-01-23T12:53:18.084Z',
    archivedAt: null,
    body: 'Indeed, I think this is definitely an improvement over the previous version.',
    edited: false,
    issueId: '539068e2-ae88-4d09-bd75-22eb4a59612f',
    userId: 'aacdca22-6266-4c0a-ab3c-8fa70a26765c',
  },
  type: 'Comment',
  url: 'https://linear.app/issue/LIN-1778/foo-bar#comment-77217de3-fb52-4dad-bb9a-b356beb93de8',
  createdAt: '2020-01-23T12:53:18.084Z',
  ...(webhookTimestamp === undefined ? {} : { webhookTimestamp }),
})

const issue = (webhookTimestamp?: number) => ({
  type: 'Issue',
  action: 'create',
  actor: { id: 'actor-1' },
  data: { foo: 'bar' },
  organizationId: 'org-1',
  createdAt: '2025-08-08T05:00:00.000Z',
  webhookId: 'webhook-1',
  ...(webhookTimestamp === undefined ? {} : { webhookTimestamp }),
})

interface Case {
  source: string
  test: string
  payload: object
  signingSecret: string
  headers?: Record<string, string>
  expect: string
}

const cases: Case[] = [
  {
    source: WEBHOOKS,
    test: 'incorrect signature, should fail verification',
    payload: comment(1677611643000),
    signingSecret: 'WRONG_SECRET',
    expect: 'bad_signature',
  },
  {
    source: WEBHOOKS,
    test: 'correct signature, incorrect timestamp should fail verification',
    payload: comment(1677611643000),
    signingSecret: secret,
    expect: 'timestamp_too_old',
  },
  {
    source: WEBHOOKS,
    test: 'correct signature, correct timestamp should pass verification',
    payload: comment(now),
    signingSecret: secret,
    expect: 'ok',
  },
  {
    source: HANDLER,
    test: 'signed Issue event with a fresh webhookTimestamp (fetch-style and express)',
    payload: issue(now),
    signingSecret: secret,
    expect: 'ok',
  },
  {
    source: HANDLER,
    test: 'signed Comment event with a fresh webhookTimestamp (fetch-style and express)',
    payload: { ...issue(now), type: 'Comment' },
    signingSecret: secret,
    expect: 'ok',
  },
  {
    source: HANDLER,
    test: 'rejects a stale signed body even when a fresh linear-timestamp header is supplied',
    payload: issue(now - 10 * 60 * 1000),
    signingSecret: secret,
    headers: { 'linear-timestamp': String(now) },
    expect: 'timestamp_too_old',
  },
  {
    source: HANDLER,
    test: 'rejects a body without a timestamp with header undefined',
    payload: issue(),
    signingSecret: secret,
    expect: 'malformed_header',
  },
  {
    source: HANDLER,
    test: 'rejects a body without a timestamp with header fresh',
    payload: issue(),
    signingSecret: secret,
    headers: { 'linear-timestamp': String(now) },
    expect: 'malformed_header',
  },
]

/** Source tests that hookwright's API cannot express, and why. */
const notExpressible = [
  {
    test: `${WEBHOOKS}: correct signature, no timestamp, should pass verification`,
    why: 'Its assertion is expect(() => …).toBeTruthy(), true of any function, and @linear/sdk 98 refuses a body without webhookTimestamp (the handler tests port that rule).',
  },
  {
    test: `${HANDLER}: event routing (wildcard "*", per-type handlers, actor ids, 200 "OK" bodies)`,
    why: 'hookwright verifies signatures; dispatching events to handlers is the application, so only the verification outcome of those requests is ported.',
  },
]

describe(`ported: ${WEBHOOKS} and ${HANDLER}`, () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(cases)('$test', (c) => {
    const body = JSON.stringify(c.payload)
    const signature = createHmac('sha256', c.signingSecret).update(body).digest('hex')
    const result = linear.verify({
      headers: { 'linear-signature': signature, ...c.headers },
      body,
      secret,
      now: new Date(now),
    })
    expect(result.ok ? 'ok' : result.reason).toBe(c.expect)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(now)
    const official = (() => {
      try {
        return new LinearWebhookClient(secret).verify(
          Buffer.from(body),
          signature,
          c.headers?.['linear-timestamp'],
        )
      } catch {
        return false
      }
    })()
    expect(official).toBe(c.expect === 'ok')
  })

  it('lists the source tests it cannot express, each with why', () => {
    for (const entry of notExpressible) expect(entry.why.length).toBeGreaterThan(40)
  })
})
