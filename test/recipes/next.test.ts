import { checkReceiver, fixture } from '../../src/index.js'
import { expect, it } from 'vitest'
import { db, POST } from './apps/next/app/api/webhooks/stripe/route.js'

it('the Stripe route handler follows the receiver pattern (Next.js App Router)', async () => {
  // The route module's POST(request): a fetch handler, called in-process.
  const report = await checkReceiver(POST, {
    path: '/api/webhooks/stripe',
    scheme: 'stripe',
    secret: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_recipes_next',
    payload: fixture('stripe/invoice.paid'),
    processedCount: () => db.processed,
    stateOf: (id) => db.customers.get(id ?? ''),
  })
  expect(report.failed, report.summary).toEqual([])
})
