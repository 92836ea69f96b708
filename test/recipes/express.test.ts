import { checkReceiver, fixture } from '../../src/index.js'
import { expect, it } from 'vitest'
import { createApp } from './apps/express.js'

const secret = 'whsec_recipes_express'

it('the Stripe route follows the receiver pattern (Express)', async () => {
  const { app, db } = createApp({ secret })
  // The app itself: hookwright serves it on 127.0.0.1 for the run and closes it after.
  const report = await checkReceiver(app, {
    path: '/webhooks/stripe',
    scheme: 'stripe',
    secret,
    payload: fixture('stripe/invoice.paid'),
    processedCount: () => db.processed,
    stateOf: (id) => db.customers.get(id ?? ''),
  })
  expect(report.failed, report.summary).toEqual([])
})
