import { request } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createReceiver, expectWebhook, sameForEveryAttempt, stripe } from '../../src/index.js'
import type { Endpoint, Receiver } from '../../src/index.js'

const secret = 'whsec_assert_suite_secret'
const paid = { id: 'evt_1', type: 'invoice.paid', data: { object: { amount_paid: 500 } } }
const paidLess = { id: 'evt_2', type: 'invoice.paid', data: { object: { amount_paid: 400 } } }

let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(() => receiver.close())
afterEach(() => {
  vi.useRealTimers()
})

/** POSTs a payload signed with `key` (unsigned when `key` is null) over node:http. */
function send(
  url: string,
  payload: object,
  { key = secret as string | null, headers = {} as Record<string, string> } = {},
): Promise<number> {
  const signed = key
    ? stripe.sign({ payload, secret: key })
    : { headers: {}, body: JSON.stringify(payload) }
  return new Promise((resolve, reject) => {
    // node:http, not fetch: it keeps working while a test has fake timers installed.
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed.headers, ...headers },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(signed.body)
  })
}

/** Ports and ids change per run; messages are compared with them replaced. */
function normalize(message: string, ep: Endpoint): string {
  return message.replaceAll(ep.url, '<url>').replaceAll(ep.path, '<path>')
}

async function failure(assertion: PromiseLike<unknown>, ep: Endpoint): Promise<string> {
  const error = await Promise.resolve(assertion).then(
    () => expect.unreachable('the assertion passed'),
    (e: unknown) => e,
  )
  expect(error).toMatchObject({ name: 'HookwrightError', code: 'HOOKWRIGHT_ASSERTION' })
  const message = (error as Error).message
  expect(message).not.toContain(secret)
  return normalize(message, ep)
}

describe('expectWebhook against a real receiver', () => {
  it('resolves with the matched deliveries: a sender that retried with backoff', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret }, respond: [500, 503, 200] })
    // Only Date is faked: the receiver stamps receivedAt with it, so the gaps are exact.
    vi.useFakeTimers({ toFake: ['Date'] })
    const t0 = Date.UTC(2026, 0, 1)
    for (const [offset, status] of [
      [0, 500],
      [1000, 503],
      [3000, 200],
    ] as const) {
      vi.setSystemTime(t0 + offset)
      expect(await send(ep.url, paid, { headers: { 'webhook-id': 'msg_1' } })).toBe(status)
    }
    const attempts = await expectWebhook(ep)
      .toArrive({ times: 3, within: 5000 })
      .withHeader('webhook-id', sameForEveryAttempt)
      .withJson({ type: 'invoice.paid', data: { object: { amount_paid: 500 } } })
      .withValidSignature({ scheme: 'stripe', secret })
      .withRetryDelays([1000, 2000], { tolerance: 250 })
      .withMethod('POST')
      .withPath(ep.path)
    expect(attempts.map((d) => [d.attempt, d.response.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ])
  })

  it('waits for a delivery that comes later, on the source’s waitFor', async () => {
    const ep = receiver.endpoint()
    const assertion = expectWebhook(ep).withJson({ id: 'evt_1' }).toArrive({ within: 5000 })
    const settled = Promise.resolve(assertion)
    await send(ep.url, paidLess)
    await send(ep.url, paid)
    const [d] = await settled
    expect(d?.json()).toEqual(paid)
  })

  it('works with fake timers installed: it waits in real time, and times out in real time', async () => {
    vi.useFakeTimers()
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    const pending = Promise.resolve(
      expectWebhook(ep).withValidSignature({ scheme: 'stripe', secret }),
    )
    await send(ep.url, paid)
    await expect(pending).resolves.toHaveLength(1)
    // Nothing else arrives; the clock is never advanced, yet the deadline still comes.
    const timeout = await failure(expectWebhook(ep).toArrive({ times: 2, within: 100 }), ep)
    expect(timeout).toContain('but 1 matched in 100 ms.')
  })

  it('fails when nothing arrives, saying so', async () => {
    const ep = receiver.endpoint()
    expect(await failure(expectWebhook(ep).toArrive({ within: 50 }), ep)).toMatchInlineSnapshot(`
      "expectWebhook(endpoint <url>): expected at least 1 delivery within 50 ms
      but 0 matched in 50 ms.
      Nothing arrived at endpoint <url>."
    `)
  })

  it('fails listing what did arrive: the JSON diffed, and a bad signature with its reason', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    expect(await send(ep.url, paidLess)).toBe(200)
    expect(await send(ep.url, paid, { key: 'whsec_some_other_secret' })).toBe(401)
    expect(await send(ep.url, paid, { key: null })).toBe(401)
    const message = await failure(
      expectWebhook(ep)
        .toArrive({ times: 1, within: 100 })
        .withJson({ type: 'invoice.paid', data: { object: { amount_paid: 500 } } })
        .withValidSignature({ scheme: 'stripe', secret }),
      ep,
    )
    expect(message).not.toContain('whsec_some_other_secret')
    expect(message).toMatchInlineSnapshot(`
      "expectWebhook(endpoint <url>): expected exactly 1 delivery within 100 ms
        with JSON matching {"type":"invoice.paid","data":{"object":{"amount_paid":500}}}
        with a valid stripe signature
      but 0 matched in 100 ms.
      Arrived at endpoint <url> (3):
        ✗ #1 POST <path> → 200 signature ok, 74 B: {"id":"evt_2","type":"invoice.paid","data":{"object":{"amount_paid":400}}}
            data.object.amount_paid: expected 500, got 400
        ✗ #2 POST <path> → 401 bad_signature, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
            signature (stripe): bad_signature: No v1 signature matches the body and secret.
        ✗ #3 POST <path> → 401 missing_header, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
            signature (stripe): missing_header: The Stripe-Signature header is missing."
    `)
  })

  it('fails when more arrive than an exact count allows', async () => {
    const ep = receiver.endpoint()
    await send(ep.url, paid)
    await send(ep.url, paid)
    expect(await failure(expectWebhook(ep).toArrive({ times: 1, within: 100 }), ep))
      .toMatchInlineSnapshot(`
        "expectWebhook(endpoint <url>): expected exactly 1 delivery within 100 ms
        but 2 matched (more than 1).
        Arrived at endpoint <url> (2):
          ✓ #1 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
          ✓ #2 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}"
      `)
    await expect(expectWebhook(ep).toArrive({ atLeast: 2 })).resolves.toHaveLength(2)
  })

  it('fails when retries came at the wrong pace or changed their idempotency key', async () => {
    const ep = receiver.endpoint()
    vi.useFakeTimers({ toFake: ['Date'] })
    const t0 = Date.UTC(2026, 0, 1)
    for (const [offset, id] of [
      [0, 'msg_1'],
      [1000, 'msg_1'],
      [1500, 'msg_2'],
    ] as const) {
      vi.setSystemTime(t0 + offset)
      await send(ep.url, paid, { key: null, headers: { 'webhook-id': id } })
    }
    const message = await failure(
      expectWebhook(ep)
        .withHeader('webhook-id', sameForEveryAttempt)
        .withRetryDelays([1000, 2000], { tolerance: 250 }),
      ep,
    )
    // Within 80% of this suite's testTimeout (30 s) by default.
    expect(message).toMatchInlineSnapshot(`
      "expectWebhook(endpoint <url>): expected at least 3 deliveries within 24000 ms
        with header webhook-id
        with header webhook-id: the same value on every attempt
        with retry delays [1000, 2000] ms (± 250 ms)
      3 matched, but together they do not:
        header webhook-id: expected one value on every attempt, got 2 ("msg_1" on #1, #2; "msg_2" on #3)
        retry delays: expected [1000, 2000] ms, got [1000, 500] ms
          gap 2 (#2 → #3) was 500 ms, expected 2000 ± 250
      Arrived at endpoint <url> (3):
        ✓ #1 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
        ✓ #2 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
        ✓ #3 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}"
    `)
  })

  it('hides signature and token header values in messages', async () => {
    const ep = receiver.endpoint()
    await send(ep.url, paid, { headers: { 'x-webhook-token': 'tok_live_hidden' } })
    const message = await failure(
      expectWebhook(ep)
        .withHeader('x-webhook-token', 'tok_expected_hidden')
        .toArrive({ within: 50 }),
      ep,
    )
    expect(message).toContain(
      'header x-webhook-token: expected (hidden, 19 chars), got (hidden, 15 chars)',
    )
    expect(message).not.toMatch(/tok_live_hidden|tok_expected_hidden/)
  })

  it('.not: passes when nothing matching arrives in time, fails listing what did', async () => {
    const ep = receiver.endpoint()
    await send(ep.url, paidLess)
    const kept = await expectWebhook(ep)
      .not.withJson({ data: { object: { amount_paid: 500 } } })
      .toArrive({ within: 100 })
    expect(kept).toEqual([])
    await expect(expectWebhook(ep).not.toArrive({ atLeast: 2, within: 50 })).resolves.toHaveLength(
      1,
    )
    expect(await failure(expectWebhook(ep).not.toArrive({ within: 100 }), ep))
      .toMatchInlineSnapshot(`
        "expectWebhook(endpoint <url>): expected no delivery within 100 ms
        but 1 matched.
        Arrived at endpoint <url> (1):
          ✓ #1 POST <path> → 200, 74 B: {"id":"evt_2","type":"invoice.paid","data":{"object":{"amount_paid":400}}}"
      `)
    expect(
      await failure(expectWebhook(ep).not.not.toArrive({ times: 2, within: 50 }), ep),
    ).toContain('expected exactly 2 deliveries')
  })

  it('takes a whole receiver as the source, with withPath and withMethod', async () => {
    const other = await createReceiver()
    try {
      const a = other.endpoint()
      const b = other.endpoint()
      await send(a.url, paid)
      await send(b.url, paidLess)
      const [d] = await expectWebhook(other).withPath(b.path).withMethod('post')
      expect(d?.path).toBe(b.path)
      const message = await failure(
        expectWebhook(other)
          .withPath(/^\/elsewhere/)
          .withMethod('PUT')
          .toArrive({ within: 50 }),
        a,
      )
      expect(message.replaceAll(b.path, '<other path>').replaceAll(other.url, '<origin>'))
        .toMatchInlineSnapshot(`
          "expectWebhook(receiver <origin>): expected at least 1 delivery within 50 ms
            with path /^\\/elsewhere/
            with method PUT
          but 0 matched in 50 ms.
          Arrived at receiver <origin> (2):
            ✗ #1 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
                path: expected /^\\/elsewhere/, got "<path>"
                method: expected PUT, got POST
            ✗ #1 POST <other path> → 200, 74 B: {"id":"evt_2","type":"invoice.paid","data":{"object":{"amount_paid":400}}}
                path: expected /^\\/elsewhere/, got "<other path>"
                method: expected PUT, got POST"
        `)
    } finally {
      await other.close()
    }
  })

  it('passes other errors on, such as the source closing while it waits', async () => {
    const other = await createReceiver()
    const ep = other.endpoint()
    const pending = Promise.resolve(expectWebhook(ep).toArrive({ within: 5000 }))
    await other.close()
    await expect(pending).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
  })

  it('throws on misuse at once, naming the option', async () => {
    const ep = receiver.endpoint()
    expect(() => expectWebhook({} as never)).toThrow(/expectWebhook\(source\)/)
    expect(() => expectWebhook(ep).toArrive({ times: 1, atLeast: 1 })).toThrow(/not both/)
    expect(() => expectWebhook(ep).toArrive({ times: 0 })).toThrow(/not\.toArrive/)
    expect(() => expectWebhook(ep).toArrive({ atLeast: 1.5 })).toThrow(/atLeast/)
    expect(() => expectWebhook(ep).toArrive({ within: -1 })).toThrow(/within/)
    expect(() => expectWebhook(ep).toArrive(null as never)).toThrow(/toArrive\(options\)/)
    expect(() => expectWebhook(ep).withValidSignature({ scheme: 'nope' as never, secret })).toThrow(
      /Unknown scheme/,
    )
    await expect(
      expectWebhook(ep).not.withRetryDelays([1000]).toArrive({ within: 10 }),
    ).rejects.toThrow(/no clear negation/)
    await send(ep.url, paid)
    const assertion = expectWebhook(ep)
    await assertion
    expect(() => assertion.withJson({})).toThrow(/already been awaited/)
  })
})
