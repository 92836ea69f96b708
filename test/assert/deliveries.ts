import { createDelivery } from '../../src/index.js'
import type { Delivery, DeliveryData } from '../../src/index.js'

/** When attempt 0 would have arrived; attempt n arrives n seconds later. */
export const T0 = 1_700_000_000_000

/** A JSON delivery to endpoint `ep1` as its `attempt`-th attempt, with any field replaced. */
export function delivery(
  attempt: number,
  { body = '{}', ...rest }: Partial<DeliveryData> & { body?: string } = {},
): Delivery {
  return createDelivery({
    id: `d${attempt}`,
    endpoint: 'ep1',
    attempt,
    receivedAt: T0 + attempt * 1000,
    method: 'POST',
    path: '/h/ep1',
    query: {},
    headers: { 'content-type': 'application/json' },
    rawBody: new TextEncoder().encode(body),
    response: { status: 200, headers: {}, delayMs: 0, action: 'respond' },
    ...rest,
  })
}
