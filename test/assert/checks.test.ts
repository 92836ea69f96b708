import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  headerCheck,
  isSensitiveHeader,
  jsonCheck,
  matchAll,
  methodCheck,
  pathCheck,
  retryDelaysCheck,
  sameForEveryAttempt,
  signatureCheck,
  sortDeliveries,
} from '../../src/assert/checks.js'
import { formatFailure } from '../../src/assert/format.js'
import { stripe } from '../../src/index.js'
import { delivery, T0 } from './deliveries.js'

describe('per-delivery checks', () => {
  it('method and path', () => {
    const d = delivery(1)
    expect(methodCheck('post').misses(d)).toEqual([])
    expect(methodCheck('PUT').misses(d)).toEqual(['method: expected PUT, got POST'])
    expect(pathCheck('/h/ep1').misses(d)).toEqual([])
    expect(pathCheck(/^\/h\//).misses(d)).toEqual([])
    expect(pathCheck('/h/other').misses(d)).toEqual(['path: expected "/h/other", got "/h/ep1"'])
    expect(() => methodCheck('')).toThrow(/Invalid option `method`/)
    expect(() => pathCheck(3 as never)).toThrow(/Invalid option `path`/)
  })

  it('json: a diff per path, or a plain reason when the body is not JSON', () => {
    const check = jsonCheck({ type: 'invoice.paid', data: { amount: 500 } })
    expect(
      check.misses(delivery(1, { body: '{"type":"invoice.paid","data":{"amount":500}}' })),
    ).toEqual([])
    expect(
      check.misses(delivery(1, { body: '{"type":"invoice.paid","data":{"amount":4}}' })),
    ).toEqual(['data.amount: expected 500, got 4'])
    expect(check.misses(delivery(1, { body: 'not json' }))).toEqual(['json: the body is not JSON'])
  })

  it('json: a body that cannot be decoded is named as such, not as "not JSON"', () => {
    const check = jsonCheck({ type: 'invoice.paid' })
    const gzip = (body: Buffer) =>
      delivery(1, {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        rawBody: new Uint8Array(body),
      })
    // 11 MiB of JSON, past the 10 MiB a delivery decodes to by default.
    const bomb = gzipSync(JSON.stringify({ type: 'x'.repeat(11 * 1024 * 1024) }))
    const [bombMiss, ...rest] = check.misses(gzip(bomb))
    expect(rest).toEqual([])
    expect(bombMiss).toMatch(
      /^json: the body cannot be read: Delivery d1 \(POST \/h\/ep1\): the body inflates past 10485760 bytes/,
    )
    expect(check.misses(gzip(Buffer.from('not gzip')))).toEqual([
      'json: the body cannot be read: Delivery d1 says Content-Encoding: gzip but its body does not decode as that.',
    ])
    expect(check.misses(gzip(gzipSync('{"type":"invoice.paid"}')))).toEqual([])
  })

  it('headers: exact, RegExp, predicate, presence', () => {
    const d = delivery(1, { headers: { 'content-type': 'application/json', 'x-a': ['1', '2'] } })
    expect(headerCheck('Content-Type', 'application/json').each.misses(d)).toEqual([])
    expect(headerCheck('content-type', /json/).each.misses(d)).toEqual([])
    expect(headerCheck('x-a', (v) => v === '1, 2').each.misses(d)).toEqual([])
    expect(headerCheck('x-a').each.misses(d)).toEqual([])
    expect(headerCheck('x-b').each.misses(d)).toEqual(['header x-b: missing'])
    expect(headerCheck('content-type', 'text/plain').each.misses(d)).toEqual([
      'header content-type: expected "text/plain", got "application/json"',
    ])
    expect(headerCheck('x-b', /./).each.misses(d)).toEqual([
      'header x-b: expected to match /./, got nothing (absent)',
    ])
    const isOne = (v: string | undefined) => v === '1'
    expect(headerCheck('x-a', isOne).each.misses(d)).toEqual([
      'header x-a: expected to satisfy isOne(), got "1, 2"',
    ])
    const throws = () => {
      throw new Error('boom')
    }
    expect(headerCheck('x-a', throws).each.misses(d)).toHaveLength(1)
    expect(() => headerCheck('', 'x')).toThrow(/withHeader\(name\)/)
    expect(() => headerCheck('x-a', 3 as never)).toThrow(/sameForEveryAttempt/)
  })

  it('hides the values of headers that carry signatures, tokens or secrets', () => {
    const d = delivery(1, {
      headers: { 'stripe-signature': 't=1,v1=abc', 'x-gitlab-token': 'tok' },
    })
    const lines = [
      ...headerCheck('stripe-signature', 't=2,v1=de').each.misses(d),
      ...headerCheck('x-gitlab-token', 'my-secret-token').each.misses(d),
    ]
    expect(lines).toEqual([
      'header stripe-signature: expected (hidden, 9 chars), got (hidden, 10 chars)',
      'header x-gitlab-token: expected (hidden, 15 chars), got (hidden, 3 chars)',
    ])
    expect(lines.join('\n')).not.toMatch(/my-secret-token|v1=abc|tok"/)
    expect(headerCheck('x-gitlab-token', 'my-secret-token').each.description).not.toContain(
      'my-secret-token',
    )
    expect(isSensitiveHeader('Authorization')).toBe(true)
    expect(isSensitiveHeader('webhook-id')).toBe(false)
  })

  it('signature: verified as of arrival, failing with the reason and never the secret', () => {
    const secret = 'whsec_very_secret_value'
    const signedAt = Math.floor(T0 / 1000)
    const signed = stripe.sign({ payload: { type: 'x' }, secret, timestamp: signedAt })
    const good = delivery(1, { headers: signed.headers, body: signed.body as string })
    const check = signatureCheck({ scheme: 'stripe', secret })
    // Arrived at T0 + 1s: fresh then, though long stale by the wall clock now.
    expect(check.misses(good)).toEqual([])
    expect(signatureCheck({ scheme: stripe, secrets: ['whsec_old', secret] }).misses(good)).toEqual(
      [],
    )
    const lines = signatureCheck({ scheme: 'stripe', secret: 'whsec_wrong_one' }).misses(good)
    expect(lines).toEqual([
      'signature (stripe): bad_signature: No v1 signature matches the body and secret.',
    ])
    expect(signatureCheck({ scheme: 'stripe', secret, tolerance: 0 }).misses(good)).toEqual([
      'signature (stripe): timestamp_too_old: The timestamp is 1s old, more than the tolerance of 0s.',
    ])
    expect(check.misses(delivery(2))).toEqual([
      'signature (stripe): missing_header: The Stripe-Signature header is missing.',
    ])
    expect(() => signatureCheck({ scheme: 'nope' as never, secret })).toThrow(
      /Unknown scheme "nope"/,
    )
    expect(() => signatureCheck({ scheme: 'stripe' })).toThrow(
      expect.objectContaining({ code: 'HOOKWRIGHT_MISSING_SECRET' }),
    )
    expect(() => signatureCheck(null as never)).toThrow(/withValidSignature/)
  })

  it('matchAll never throws, so a bad body cannot break a waitFor', () => {
    const match = matchAll([jsonCheck({ a: 1 })])
    expect(match(delivery(1, { body: '{"a":1}' }))).toBe(true)
    expect(match(delivery(1, { body: 'nope' }))).toBe(false)
    const throwing = {
      description: 'boom',
      misses: () => {
        throw new Error('boom')
      },
    }
    expect(matchAll([throwing])(delivery(1))).toBe(false)
  })
})

describe('checks across deliveries', () => {
  it('sameForEveryAttempt: one value across attempts', () => {
    const { each, group } = headerCheck('webhook-id', sameForEveryAttempt)
    const same = [1, 2, 3].map((i) => delivery(i, { headers: { 'webhook-id': 'msg_1' } }))
    expect(same.every((d) => each.misses(d).length === 0)).toBe(true)
    expect(group?.misses(same)).toEqual([])
    const differ = [...same.slice(0, 2), delivery(3, { headers: { 'webhook-id': 'msg_2' } })]
    expect(group?.misses(differ)).toEqual([
      'header webhook-id: expected one value on every attempt, got 2 ("msg_1" on #1, #2; "msg_2" on #3)',
    ])
    expect(each.misses(delivery(4))).toEqual(['header webhook-id: missing'])
  })

  it('retry delays: gaps between consecutive arrivals within the tolerance', () => {
    const at = (offsets: number[]) =>
      offsets.map((ms, i) => delivery(i + 1, { receivedAt: T0 + ms }))
    const check = retryDelaysCheck([1000, 2000], { tolerance: 250 })
    expect(check.description).toBe('retry delays [1000, 2000] ms (± 250 ms)')
    expect(check.misses(at([0, 1100, 2900]))).toEqual([])
    expect(check.misses(at([0, 1100, 1600]))).toEqual([
      'retry delays: expected [1000, 2000] ms, got [1100, 500] ms',
      '  gap 2 (#2 → #3) was 500 ms, expected 2000 ± 250',
    ])
    expect(check.misses(at([0]))).toEqual([
      'retry delays: expected 3 deliveries to measure 2 gaps, got 1',
    ])
    expect(retryDelaysCheck([1000]).misses(at([0, 1250]))).toEqual([])
    expect(() => retryDelaysCheck([])).toThrow(/non-empty array/)
    expect(() => retryDelaysCheck([1, -1])).toThrow(/non-empty array/)
    expect(() => retryDelaysCheck([1], { tolerance: -1 })).toThrow(/tolerance/)
  })
})

describe('formatFailure', () => {
  it('lists the most recent deliveries, each with why it missed', () => {
    const deliveries = Array.from({ length: 23 }, (_, i) =>
      delivery(i + 1, { body: `{"n":${i + 1}}` }),
    )
    const checks = [jsonCheck({ n: 23 })]
    const { matched, misses } = sortDeliveries(deliveries, checks)
    expect(matched).toHaveLength(1)
    const message = formatFailure({
      title: 'expectWebhook(test)',
      expected: 'expected exactly 2 deliveries within 10 ms',
      criteria: checks.map((c) => c.description),
      outcome: 'but 1 matched in 10 ms.',
      deliveries,
      misses,
      label: 'test',
    })
    const lines = message.split('\n')
    expect(lines.slice(0, 6)).toEqual([
      'expectWebhook(test): expected exactly 2 deliveries within 10 ms',
      '  with JSON matching {"n":23}',
      'but 1 matched in 10 ms.',
      'Arrived at test (23):',
      '  … 3 earlier not shown',
      '  ✗ #4 POST /h/ep1 → 200, 7 B: {"n":4}',
    ])
    expect(lines.at(-1)).toBe('  ✓ #23 POST /h/ep1 → 200, 8 B: {"n":23}')
    expect(lines.at(-2)).toBe('      n: expected 23, got 22')
  })
})
