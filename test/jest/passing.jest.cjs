/* global require, describe, test, expect, beforeAll, afterAll, jest */
/* eslint-disable @typescript-eslint/no-require-imports */
// Runs under jest (CommonJS) against the built package: every test here must pass.
const { createReceiver, expectWebhook, sameForEveryAttempt, stripe } = require('hookwright')
require('hookwright/jest')

const secret = 'whsec_jest_suite_secret'
const paid = { id: 'evt_1', type: 'invoice.paid', data: { object: { amount_paid: 500 } } }

let receiver
beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(() => receiver.close())

async function send(url, payload, key = secret) {
  const { headers, body } = stripe.sign({ payload, secret: key })
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'webhook-id': 'msg_1' },
    body,
  })
  await res.arrayBuffer()
  return res.status
}

describe('hookwright/jest', () => {
  test('matchers pass on what arrived, with .not', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    await send(ep.url, paid)
    await send(ep.url, paid)
    const [first] = await expectWebhook(ep)
      .toArrive({ times: 2 })
      .withHeader('webhook-id', sameForEveryAttempt)
      .withValidSignature({ scheme: 'stripe', secret })
    expect(ep).toHaveReceivedWebhook({ json: { type: 'invoice.paid' }, method: 'POST', count: 2 })
    expect(ep).toHaveReceivedWebhook({
      json: { data: { object: { amount_paid: expect.any(Number) } } },
      headers: { 'webhook-id': sameForEveryAttempt },
    })
    expect(ep).toHaveReceivedWebhookTimes(2)
    expect(ep).toHaveReceivedWebhookWithJson({ id: 'evt_1' })
    expect(ep).toHaveReceivedWebhookWithHeader('content-type', /json/)
    expect(ep).not.toHaveReceivedWebhook({ json: { type: 'invoice.voided' } })
    expect(ep).not.toHaveReceivedWebhookTimes(3)
    expect(first).toHaveValidSignature('stripe', secret)
    expect(first).not.toHaveValidSignature('stripe', 'whsec_wrong')
  })

  test('a failing matcher throws the shared message', async () => {
    const ep = receiver.endpoint()
    await send(ep.url, { ...paid, data: { object: { amount_paid: 400 } } })
    await expectWebhook(ep)
    expect(() =>
      expect(ep).toHaveReceivedWebhook({ json: { data: { object: { amount_paid: 500 } } } }),
    ).toThrow('data.object.amount_paid: expected 500, got 400')
  })

  test('expectWebhook waits in real time under jest fake timers', async () => {
    jest.useFakeTimers()
    try {
      const ep = receiver.endpoint()
      const pending = Promise.resolve(expectWebhook(ep).withJson({ id: 'evt_1' }))
      await send(ep.url, paid)
      await expect(pending).resolves.toHaveLength(1)
      // The clock is never advanced, yet the deadline comes.
      await expect(expectWebhook(ep).toArrive({ times: 2, within: 50 })).rejects.toThrow(
        'but 1 matched in 50 ms.',
      )
    } finally {
      jest.useRealTimers()
    }
  })

  test('expectWebhook rejects with HOOKWRIGHT_ASSERTION', async () => {
    const ep = receiver.endpoint()
    await expect(expectWebhook(ep).toArrive({ within: 20 })).rejects.toMatchObject({
      code: 'HOOKWRIGHT_ASSERTION',
    })
  })
  // jest's own "Exceeded timeout of 2500 ms" would come at 2.5 s; ours comes first.
  test('waitFor and expectWebhook wait 80% of the test timeout by default', async () => {
    const ep = receiver.endpoint()
    const [waited, expected] = await Promise.all([
      ep.waitFor().catch((e) => e.message),
      Promise.resolve(expectWebhook(ep)).catch((e) => e.message),
    ])
    expect(waited).toMatch(/^Timed out after 2000 ms waiting for 1 delivery/)
    expect(expected).toContain('expected at least 1 delivery within 2000 ms')
  }, 2500)
})
