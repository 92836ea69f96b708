// Compiles: a user's vitest test with hookwright/vitest imported.
import { expect } from 'vitest'
import { sameForEveryAttempt } from 'hookwright'
import type { Delivery, Endpoint } from 'hookwright'
import 'hookwright/vitest'

declare const ep: Endpoint
declare const delivery: Delivery

expect(ep).toHaveReceivedWebhook()
expect(ep).toHaveReceivedWebhook({
  json: { type: 'invoice.paid', data: { object: { amount_paid: expect.any(Number) } } },
  headers: { 'webhook-id': sameForEveryAttempt, 'content-type': /json/ },
  method: 'POST',
  path: /^\/h\//,
  count: 2,
  signature: { scheme: 'stripe', secret: 'whsec_x' },
})
expect(ep).not.toHaveReceivedWebhookTimes(3)
expect(ep).toHaveReceivedWebhookWithJson({ type: 'invoice.paid' })
expect(ep).toHaveReceivedWebhookWithHeader('webhook-id')
expect(delivery).toHaveValidSignature('stripe', 'whsec_x')
expect(delivery).not.toHaveValidSignature('github', { secrets: ['a', 'b'], tolerance: 10 })
