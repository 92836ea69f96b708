import { describe, expect, it } from 'vitest'
import {
  headerCheck,
  isSensitiveHeader,
  jsonCheck,
  methodCheck,
  pathCheck,
  retryDelaysCheck,
  sameForEveryAttempt,
  showHeader,
  signatureCheck,
} from '../../src/assert/checks.js'
import { twilio } from '../../src/index.js'
import { delivery, T0 } from './deliveries.js'
import type { Delivery } from '../../src/index.js'

// What the assertion messages and matchers promise, beyond test/assert/checks.test.ts: the text
// of each criterion, the bounds of retry delays, and the URL a signature over it is checked with.

describe('criteria as the failure message lists them', () => {
  it('describes each check in the words of the expectation', () => {
    expect(methodCheck('put').description).toBe('method PUT')
    expect(pathCheck('/h/ep1').description).toBe('path /h/ep1')
    expect(pathCheck(/^\/h\//).description).toBe('path /^\\/h\\//')
    expect(jsonCheck({ a: 1 }).description).toBe('JSON matching {"a":1}')
    expect(headerCheck('X-A').each.description).toBe('header x-a')
    expect(headerCheck('X-A', 'v').each.description).toBe('header x-a = "v"')
    expect(headerCheck('X-A', /v/).each.description).toBe('header x-a to match /v/')
    const isV = (value: string | undefined) => value === 'v'
    expect(headerCheck('X-A', isV).each.description).toBe('header x-a to satisfy isV()')
    const { group } = headerCheck('Webhook-Id', sameForEveryAttempt)
    expect(group?.description).toBe('header webhook-id: the same value on every attempt')
    expect(headerCheck('x-a').group).toBeUndefined()
    expect(headerCheck('x-a', 'v').group).toBeUndefined()
  })

  it('cuts a long JSON expectation at 200 characters and a long header value at 60', () => {
    const long = { text: 'x'.repeat(300) }
    const description = jsonCheck(long).description
    expect(description).toHaveLength('JSON matching '.length + 200)
    expect(description.endsWith('…')).toBe(true)
    expect(showHeader('x-a', 'y'.repeat(100))).toBe(`"${'y'.repeat(58)}…`)
    expect(showHeader('x-a', 'short')).toBe('"short"')
    expect(showHeader('x-a', undefined)).toBe('nothing (absent)')
    expect(showHeader('X-Api-Key', 'k3y')).toBe('(hidden, 3 chars)')
  })

  it('hides the values of every header that may carry a credential', () => {
    for (const name of [
      'Authorization',
      'Cookie',
      'X-Gitlab-Token',
      'X-Client-Secret',
      'X-Hub-Signature-256',
      'X-Password',
      'X-Api-Key',
      'X-ApiKey',
      'X-Shopify-Hmac-Sha256',
    ]) {
      expect({ name, hidden: isSensitiveHeader(name) }).toEqual({ name, hidden: true })
    }
    for (const name of ['content-type', 'webhook-id', 'x-github-event', 'user-agent']) {
      expect({ name, hidden: isSensitiveHeader(name) }).toEqual({ name, hidden: false })
    }
  })
})

describe('misuse is named in the message', () => {
  it('refuses a method, path or header name of the wrong type, saying what is accepted', () => {
    for (const method of ['', 3, undefined]) {
      expect(() => methodCheck(method as never)).toThrow(
        /^Invalid option `method`: expected an HTTP method such as "POST", got /,
      )
    }
    expect(() => pathCheck(3 as never)).toThrow(
      /^Invalid option `path`: expected a string or a RegExp, got 3\.$/,
    )
    for (const name of ['', 3, undefined]) {
      expect(() => headerCheck(name as never)).toThrow(
        /^Invalid option `withHeader\(name\)`: expected a header name such as "webhook-id", got /,
      )
    }
  })

  it('refuses a header expectation that is not a string, RegExp, predicate or sameForEveryAttempt', () => {
    for (const expected of [null, 3, { across: 'other' }, {}]) {
      expect(() => headerCheck('X-A', expected as never)).toThrow(
        /^Invalid option `withHeader\("X-A", value\)`: expected a string, a RegExp, a predicate or sameForEveryAttempt/,
      )
    }
  })
})

describe('header checks', () => {
  it('a RegExp with the g flag matches on every call, not every other one', () => {
    const d = delivery(1, { headers: { 'x-a': 'abc' } })
    const check = headerCheck('x-a', /b/g).each
    expect([check.misses(d), check.misses(d), check.misses(d)]).toEqual([[], [], []])
    expect(pathCheck(/ep1/g).misses(d)).toEqual([])
    expect(pathCheck(/ep1/g).misses(d)).toEqual([])
  })

  it('a predicate passes only by returning true, and is given the delivery', () => {
    const d = delivery(7, { headers: { 'x-a': 'v' } })
    let seen: Delivery | undefined
    expect(
      headerCheck('x-a', (_value, got) => {
        seen = got
        return true
      }).each.misses(d),
    ).toEqual([])
    expect(seen).toBe(d)
    const truthy = (() => 'yes') as never
    expect(headerCheck('x-a', truthy).each.misses(d)).toHaveLength(1)
    // An absent header reaches the predicate as undefined.
    expect(headerCheck('x-b', (value) => value === undefined).each.misses(d)).toEqual([])
  })

  it('sameForEveryAttempt counts an attempt without the header as a different value', () => {
    const { group } = headerCheck('webhook-id', sameForEveryAttempt)
    const withId = delivery(1, { headers: { 'webhook-id': 'msg_1' } })
    expect(group?.misses([withId])).toEqual([])
    expect(group?.misses([])).toEqual([])
    expect(group?.misses([withId, delivery(2)])).toEqual([
      'header webhook-id: expected one value on every attempt, got 2 ("msg_1" on #1; "" on #2)',
    ])
  })
})

describe('retryDelaysCheck', () => {
  const at = (offsets: number[]) => offsets.map((ms, i) => delivery(i + 1, { receivedAt: T0 + ms }))

  it('allows a gap off by exactly the tolerance either way, and not a millisecond more', () => {
    const check = retryDelaysCheck([1000], { tolerance: 100 })
    expect(check.misses(at([0, 900]))).toEqual([])
    expect(check.misses(at([0, 1100]))).toEqual([])
    expect(check.misses(at([0, 899]))).toHaveLength(2)
    expect(check.misses(at([0, 1101]))).toEqual([
      'retry delays: expected [1000] ms, got [1101] ms',
      '  gap 1 (#1 → #2) was 1101 ms, expected 1000 ± 100',
    ])
    // The default tolerance is 250 ms.
    expect(retryDelaysCheck([1000]).description).toBe('retry delays [1000] ms (± 250 ms)')
    expect(retryDelaysCheck([1000]).misses(at([0, 1251]))).toHaveLength(2)
    // Exactly as many deliveries as gaps + 1 is enough; more are not measured.
    expect(check.misses(at([0, 1000, 99_999]))).toEqual([])
    expect(check.misses(at([0]))).toEqual([
      'retry delays: expected 2 deliveries to measure 1 gaps, got 1',
    ])
  })

  it('refuses delays and tolerances that are not milliseconds', () => {
    for (const delays of [[], [Number.NaN], [Infinity], ['5'], [-1], '1000']) {
      expect(() => retryDelaysCheck(delays as never)).toThrow(
        /^Invalid option `withRetryDelays\(delays\)`: expected a non-empty array of milliseconds >= 0/,
      )
    }
    expect(retryDelaysCheck([0]).misses(at([0, 0]))).toEqual([])
    for (const tolerance of [-1, Number.NaN, Infinity, '5']) {
      expect(() => retryDelaysCheck([1], { tolerance: tolerance as never })).toThrow(
        /^Invalid option `withRetryDelays tolerance`: expected milliseconds >= 0/,
      )
    }
    expect(retryDelaysCheck([1], { tolerance: 0 }).misses(at([0, 1]))).toEqual([])
  })
})

describe('signatureCheck over a signed URL (Twilio)', () => {
  const secret = 'twilio-auth-token'
  const fields = { From: '+15550100', Body: 'hi' }

  it('rebuilds the URL from origin, path and query, repeated query values included', () => {
    const url = 'https://example.com/h/ep1?a=1&a=2&b=x'
    const signed = twilio.sign({ payload: fields, secret, url })
    const d = delivery(1, {
      headers: signed.headers,
      body: signed.body as string,
      query: { a: ['1', '2'], b: 'x' },
    })
    expect(signatureCheck({ scheme: 'twilio', secret }, 'https://example.com').misses(d)).toEqual(
      [],
    )
    const noQuery = twilio.sign({ payload: fields, secret, url: 'https://example.com/h/ep1' })
    const plain = delivery(2, { headers: noQuery.headers, body: noQuery.body as string })
    expect(
      signatureCheck({ scheme: 'twilio', secret }, 'https://example.com').misses(plain),
    ).toEqual([])
    // Another origin is another URL, so another signature.
    expect(
      signatureCheck({ scheme: 'twilio', secret }, 'https://other.example').misses(plain),
    ).toEqual([expect.stringMatching(/^signature \(twilio\): bad_signature: /)])
  })
})
