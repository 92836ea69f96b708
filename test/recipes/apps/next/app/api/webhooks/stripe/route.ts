// A Next.js App Router route handler: app/api/webhooks/stripe/route.ts. A plain module that
// exports POST(request); `next` itself is not needed to test it.
import { createStore, readText, receiveStripe } from '../../../../../stripe-events.js'

export const db = createStore()
const secret = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_recipes_next'

export async function POST(request: Request): Promise<Response> {
  const raw = await readText(request, 512 * 1024)
  if (raw === undefined) return Response.json({ error: 'too large' }, { status: 413 })
  const { status, body } = receiveStripe(
    db,
    secret,
    raw,
    request.headers.get('stripe-signature') ?? '',
  )
  return Response.json(body, { status })
}
