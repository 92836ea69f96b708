// The framework-free part of the recipe apps: what a Stripe webhook route does once it has the
// raw body and the signature header. Verify with Stripe's library, record the event id in one
// synchronous step (duplicates answered 200 and ignored), answer, then do the work, keeping
// only the newest state of each customer.
import Stripe from 'stripe'

export interface Store {
  /** Events accepted for processing (what `processedCount` reads). */
  processed: number
  eventIds: Set<string>
  customers: Map<string, Record<string, unknown> & { _at: number }>
}

export function createStore(): Store {
  return { processed: 0, eventIds: new Set(), customers: new Map() }
}

const stripe = new Stripe('sk_test_unused')

/** Handles one delivery; the caller sends `status` and `body` back. */
export function receiveStripe(
  store: Store,
  secret: string,
  raw: string | Buffer,
  signature: string,
): { status: number; body: unknown } {
  let event: Stripe.Event
  try {
    event = stripe.webhooks.constructEvent(raw, signature, secret)
  } catch {
    return { status: 400, body: { error: 'invalid signature' } }
  }
  if (store.eventIds.has(event.id)) return { status: 200, body: { duplicate: true } }
  store.eventIds.add(event.id)
  store.processed++
  queueMicrotask(() => work(store, event))
  return { status: 200, body: { received: true } }
}

function work(store: Store, event: Stripe.Event): void {
  const object = event.data.object as { id?: string; object?: string }
  if (object.object !== 'customer' || object.id === undefined) return
  const stored = store.customers.get(object.id)
  if (stored && stored._at > event.created) return // an older event, arrived late
  store.customers.set(object.id, { ...object, _at: event.created })
}

/** The body as text, or undefined past `limit` bytes (for fetch handlers, which have no limit). */
export async function readText(request: Request, limit: number): Promise<string | undefined> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks).toString('utf8')
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
}
