import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver, expectWebhook, sameForEveryAttempt, stripe } from '../../src/index.js'
import type { Endpoint, Receiver } from '../../src/index.js'
import { registerMatchers } from '../../src/assert/register.js'
import { webhookMatchers } from '../../src/vitest.js'

const secret = 'whsec_matcher_suite_secret'
const paid = { id: 'evt_1', type: 'invoice.paid', data: { object: { amount_paid: 500 } } }
const voided = { id: 'evt_2', type: 'invoice.voided', data: { object: { amount_paid: 0 } } }

let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(() => receiver.close())

async function send(
  ep: Endpoint,
  payload: object,
  key: string = secret,
  webhookId = 'msg_1',
): Promise<number> {
  const { headers, body } = stripe.sign({ payload, secret: key })
  const res = await fetch(ep.url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'webhook-id': webhookId },
    // An object payload is signed and sent as a JSON string.
    body: body as string,
  })
  await res.arrayBuffer()
  return res.status
}

/** The message of a failed `expect`, with this run's URL and path replaced. */
function failureOf(assertion: () => void, ep: Endpoint): string {
  let message: string | undefined
  try {
    assertion()
  } catch (error) {
    message = (error as Error).message
  }
  expect(message, 'the matcher passed').toBeTypeOf('string')
  expect(message).not.toContain(secret)
  return message!.replaceAll(ep.url, '<url>').replaceAll(ep.path, '<path>')
}

describe('vitest matchers (hookwright/vitest)', () => {
  it('pass on what has arrived, after awaiting it', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    await send(ep, paid)
    await send(ep, voided)
    const [first] = await expectWebhook(ep).toArrive({ times: 2 })
    expect(ep).toHaveReceivedWebhook()
    expect(ep).toHaveReceivedWebhook({ json: { type: 'invoice.paid' } })
    expect(ep).toHaveReceivedWebhook({
      json: { data: { object: { amount_paid: expect.any(Number) } } },
      headers: { 'content-type': /json/, 'webhook-id': sameForEveryAttempt },
      method: 'POST',
      path: ep.path,
      count: 2,
      signature: { scheme: 'stripe', secret },
    })
    expect(ep).toHaveReceivedWebhookTimes(2)
    expect(ep).toHaveReceivedWebhookWithJson({ type: 'invoice.voided' })
    expect(ep).toHaveReceivedWebhookWithHeader('webhook-id', 'msg_1')
    expect(receiver).toHaveReceivedWebhook({ path: ep.path })
    expect(first).toHaveValidSignature('stripe', secret)
    expect(first).toHaveValidSignature(stripe, { secrets: ['whsec_old', secret] })
    // A plain DeliveryData (from toJSON, the remote API) works as well as a Delivery.
    const plain = { ...first!.toJSON(), rawBody: first!.rawBody }
    expect(plain).toHaveValidSignature('stripe', secret)
  })

  it('toHaveValidSignature on an endpoint or receiver says to pass one of its deliveries', () => {
    const ep = receiver.endpoint()
    expect(() => expect(ep).toHaveValidSignature('stripe', secret)).toThrow(
      `Invalid option \`expect(received).toHaveValidSignature\`: expected a Delivery as \`received\`, got an Endpoint (${ep.label}); pass one of its deliveries: expect((await ep.waitFor())[0]).toHaveValidSignature(…), or use expect(ep).toHaveReceivedWebhook({ signature: { scheme, secret } }).`,
    )
    expect(() => expect(receiver).toHaveValidSignature('stripe', secret)).toThrow(
      /got a Receiver \(receiver http:\S+\); pass one of its deliveries/,
    )
  })

  it('.not passes when nothing matches and fails listing what matched', async () => {
    const ep = receiver.endpoint()
    await send(ep, paid)
    await expectWebhook(ep)
    expect(ep).not.toHaveReceivedWebhook({ json: { type: 'invoice.voided' } })
    expect(ep).not.toHaveReceivedWebhookTimes(2)
    expect(ep).not.toHaveReceivedWebhookWithJson({ type: 'customer.created' })
    expect(ep).not.toHaveReceivedWebhookWithHeader('x-missing')
    expect(ep.deliveries[0]).not.toHaveValidSignature('stripe', 'whsec_wrong')
    expect(failureOf(() => expect(ep).not.toHaveReceivedWebhookWithJson({ id: 'evt_1' }), ep))
      .toMatchInlineSnapshot(`
        "expect(endpoint <url>).not.toHaveReceivedWebhookWithJson(): expected no delivery to match
          with JSON matching {"id":"evt_1"}
        but 1 matched.
        Arrived at endpoint <url> (1):
          ✓ #1 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}"
      `)
    expect(failureOf(() => expect(ep.deliveries[0]).not.toHaveValidSignature('stripe', secret), ep))
      .toMatchInlineSnapshot(`
      "expect(delivery).not.toHaveValidSignature(): expected no valid stripe signature, but it verified.
        #1 POST <path> → 200, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}"
    `)
  })

  it('fail with the shared message: the JSON diffed and the verification reason', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    await send(ep, { ...paid, data: { object: { amount_paid: 400 } } })
    await send(ep, paid, 'whsec_not_the_one')
    await expectWebhook(ep).toArrive({ times: 2 })
    const message = failureOf(
      () =>
        expect(ep).toHaveReceivedWebhook({
          json: { data: { object: { amount_paid: 500 } } },
          signature: { scheme: 'stripe', secret },
        }),
      ep,
    )
    expect(message).not.toContain('whsec_not_the_one')
    expect(message).toMatchInlineSnapshot(`
      "expect(endpoint <url>).toHaveReceivedWebhook(): expected at least 1 delivery to match
        with JSON matching {"data":{"object":{"amount_paid":500}}}
        with a valid stripe signature
      but 0 matched.
      Arrived at endpoint <url> (2):
        ✗ #1 POST <path> → 200 signature ok, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":400}}}
            data.object.amount_paid: expected 500, got 400
        ✗ #2 POST <path> → 401 bad_signature, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}
            signature (stripe): bad_signature: No v1 signature matches the body and secret."
    `)
    expect(failureOf(() => expect(ep).toHaveReceivedWebhookTimes(3), ep)).toContain(
      'expect(endpoint <url>).toHaveReceivedWebhookTimes(): expected exactly 3 deliveries to match\nbut 2 matched.',
    )
    expect(failureOf(() => expect(ep.deliveries[1]).toHaveValidSignature('stripe', secret), ep))
      .toMatchInlineSnapshot(`
      "expect(delivery).toHaveValidSignature(): expected a valid stripe signature
      but: bad_signature: No v1 signature matches the body and secret.
        #2 POST <path> → 401 bad_signature, 74 B: {"id":"evt_1","type":"invoice.paid","data":{"object":{"amount_paid":500}}}"
    `)
    expect(
      failureOf(
        () => expect(ep).toHaveReceivedWebhook({ headers: { 'webhook-id': 'msg_2' }, count: 1 }),
        ep,
      ),
    ).toContain('      header webhook-id: expected "msg_2", got "msg_1"')
  })

  it('fail a count or a check across deliveries', async () => {
    const ep = receiver.endpoint()
    await send(ep, paid)
    await send(ep, voided)
    await expectWebhook(ep).toArrive({ times: 2 })
    expect(ep).toHaveReceivedWebhook({ headers: { 'content-type': sameForEveryAttempt } })
    await send(ep, paid, secret, 'msg_9')
    await expectWebhook(ep).toArrive({ times: 3 })
    expect(
      failureOf(
        () => expect(ep).toHaveReceivedWebhook({ headers: { 'webhook-id': sameForEveryAttempt } }),
        ep,
      ),
    ).toContain(
      '3 matched, but together they do not:\n  header webhook-id: expected one value on every attempt, got 2 ("msg_1" on #1, #2; "msg_9" on #3)',
    )
    expect(failureOf(() => expect(ep).toHaveReceivedWebhook({ count: 1 }), ep)).toContain(
      'expected exactly 1 delivery to match\nbut 3 matched.',
    )
  })

  it('throw on misuse, naming what is accepted', async () => {
    const ep = receiver.endpoint()
    expect(() => expect({}).toHaveReceivedWebhook()).toThrow(/an endpoint, a receiver/)
    expect(() => expect(ep).toHaveReceivedWebhook({ type: 'invoice.paid' } as never)).toThrow(
      /wrap it: \{ json: … \}\), got "unknown key type"/,
    )
    expect(() => expect(ep).toHaveReceivedWebhook([] as never)).toThrow(/an object with any of/)
    expect(() => expect(ep).toHaveReceivedWebhookTimes(-1)).toThrow(/an integer >= 0/)
    expect(() => expect(ep).toHaveReceivedWebhook({ count: 1.5 })).toThrow(/count/)
    expect(() => expect(ep).toHaveValidSignature('stripe', secret)).toThrow(/a Delivery/)
    await send(ep, paid)
    await expectWebhook(ep)
    expect(() => expect(ep.deliveries[0]).toHaveValidSignature('stripe', {})).toThrow(
      /pass `secret`/,
    )
  })

  it('registers only where the runner put its expect; the jest entry is inert under vitest', async () => {
    // Vitest without `globals: true` has no global `expect`, only its own symbol.
    expect(registerMatchers('vitest')).toBe(true)
    expect(registerMatchers('jest')).toBe(false)
    const jestEntry = await import('../../src/jest.js')
    expect(jestEntry.webhookMatchers).toBe(webhookMatchers)
  })

  it('exports the matchers for runners without a global expect', () => {
    expect(Object.keys(webhookMatchers).sort()).toEqual([
      'toHaveReceivedWebhook',
      'toHaveReceivedWebhookTimes',
      'toHaveReceivedWebhookWithHeader',
      'toHaveReceivedWebhookWithJson',
      'toHaveValidSignature',
    ])
  })
})
