import { checkReceiver, fixture } from '../../src/index.js'
import { expect, it } from 'vitest'
import { createApp } from './apps/fastify.js'

const secret = 'whsec_recipes_fastify'

it('the Stripe route follows the receiver pattern (Fastify)', async () => {
  const { app, db } = createApp({ secret })
  // The Fastify instance: made ready, served on 127.0.0.1 for the run.
  const report = await checkReceiver(app, {
    path: '/webhooks/stripe',
    scheme: 'stripe',
    secret,
    payload: fixture('stripe/invoice.paid'),
    processedCount: () => db.processed,
    stateOf: (id) => db.customers.get(id ?? ''),
  })
  expect(report.failed, report.summary).toEqual([])
  await app.close()
})
