// A webhook receiver written the way the providers' docs ask: the raw body, the official
// library's verification (signature and timestamp), and replay protection by message id.
import type { AddressInfo } from 'node:net'
import express from 'express'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'

export interface RunningApp {
  /** The webhook URL. */
  url: string
  /** How many deliveries the app has acted on (duplicates are not counted). */
  processed(): number
  close(): Promise<void>
}

export async function startCorrectReceiver(options: {
  scheme: 'stripe' | 'standardWebhooks'
  secret: string
}): Promise<RunningApp> {
  const stripe = new Stripe('sk_test_unused')
  const seen = new Set<string>()
  let processed = 0
  const app = express()

  app.post('/webhooks', express.raw({ type: '*/*' }), (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    let messageId: string
    try {
      if (options.scheme === 'stripe') {
        const event = stripe.webhooks.constructEvent(
          raw,
          req.headers['stripe-signature'] ?? '',
          options.secret,
        )
        messageId = event.id
      } else {
        new Webhook(options.secret).verify(
          raw.toString('utf8'),
          req.headers as Record<string, string>,
        )
        messageId = String(req.headers['webhook-id'])
      }
    } catch {
      res.status(400).json({ error: 'invalid signature' })
      return
    }
    // Providers retry, so a duplicate is answered 2xx (to stop the retries) and not acted on.
    if (seen.has(messageId)) {
      res.status(200).json({ duplicate: true })
      return
    }
    seen.add(messageId)
    processed++
    res.status(200).json({ received: true })
  })

  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    processed: () => processed,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  }
}
