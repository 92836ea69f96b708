// Compiles: a CommonJS jest project on `module: commonjs` (moduleResolution node10, no exports
// map): every subpath resolves through typesVersions.
import { createReceiver, sameForEveryAttempt } from 'hookwright'
import type { Delivery, Endpoint } from 'hookwright'
import 'hookwright/jest'
import { interceptWebhooks } from 'hookwright/msw'
import type {} from 'hookwright/vitest'
import { stripeEventSchema, type StripeEvent } from 'hookwright/schemas'

declare const ep: Endpoint
declare const delivery: Delivery
export const event: StripeEvent = stripeEventSchema.parse(delivery.json())

expect(ep).toHaveReceivedWebhook({ headers: { 'webhook-id': sameForEveryAttempt } })
expect(delivery).toHaveValidSignature('stripe', 'whsec_x')

export async function setUp(): Promise<void> {
  const receiver = await createReceiver()
  const hooks = interceptWebhooks({ origin: 'https://example.com' })
  await hooks.close()
  await receiver.close()
}
