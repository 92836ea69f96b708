import { checkReceiver, fixture } from '../../src/index.js'
import { expect, it } from 'vitest'
import { createListener } from './apps/node-http.js'

const secret = 'whsec_recipes_node'

it('the Stripe route follows the receiver pattern (node:http)', async () => {
  const { listener, db } = createListener({ secret })
  // A (req, res) listener: served on 127.0.0.1 for the run.
  const report = await checkReceiver(listener, {
    path: '/webhooks/stripe',
    scheme: 'stripe',
    secret,
    payload: fixture('stripe/invoice.paid'),
    processedCount: () => db.processed,
    stateOf: (id) => db.customers.get(id ?? ''),
  })
  expect(report.failed, report.summary).toEqual([])
})
