/* global require, test, expect, beforeAll, afterAll */
/* eslint-disable @typescript-eslint/no-require-imports */
// Fails ON PURPOSE: test/assert/jest.test.ts runs it and asserts jest's report of each failure.
const { createReceiver, expectWebhook, stripe } = require('hookwright')
require('hookwright/jest')

const secret = 'whsec_jest_failing_secret'

let receiver
let ep
beforeAll(async () => {
  receiver = await createReceiver()
  ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
  const good = stripe.sign({ payload: { type: 'invoice.paid', amount: 400 }, secret })
  const bad = stripe.sign({ payload: { type: 'invoice.paid', amount: 500 }, secret: 'whsec_bad' })
  for (const { headers, body } of [good, bad]) {
    const res = await fetch(ep.url, { method: 'POST', headers, body })
    await res.arrayBuffer()
  }
  await expectWebhook(ep).toArrive({ times: 2 })
})
afterAll(() => receiver.close())

test('toHaveReceivedWebhook fails', () => {
  expect(ep).toHaveReceivedWebhook({
    json: { amount: 500 },
    signature: { scheme: 'stripe', secret },
  })
})

test('.not.toHaveReceivedWebhookTimes fails', () => {
  expect(ep).not.toHaveReceivedWebhookTimes(2)
})

test('toHaveValidSignature fails', () => {
  expect(ep.deliveries[1]).toHaveValidSignature('stripe', secret)
})
