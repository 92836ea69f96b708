import { checkReceiver, fixture } from '../../src/index.js'
import { expect, it } from 'vitest'
import { createApp } from './apps/hono.js'

const secret = 'whsec_recipes_hono'

it('the Stripe route follows the receiver pattern (Hono, in-process)', async () => {
  const { app, db } = createApp({ secret })
  // A Hono app has a fetch method: called in-process, no socket.
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
