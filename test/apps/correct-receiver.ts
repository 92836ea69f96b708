// A webhook receiver written the way the providers' docs ask: the raw body (with express.raw's
// 100 kB limit), the official library's verification (signature and timestamp), replay
// protection by message id (checked and recorded in one synchronous step), an answer before
// any work, and a record of each object that only a newer event may overwrite.
import type { AddressInfo } from 'node:net'
import express, { type Express } from 'express'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'

export interface RunningApp {
  /** The webhook URL. */
  url: string
  /** How many deliveries the app has acted on (duplicates are not counted). */
  processed(): number
  close(): Promise<void>
}

/** The app without a server: for `checkReceiver(app, { path: '/webhooks' })`. */
export interface CorrectApp {
  app: Express
  processed(): number
  /** The record of an object, as the events left it. */
  state(id: string | undefined): Record<string, unknown> | undefined
}

export function correctApp(options: {
  scheme: 'stripe' | 'standardWebhooks'
  secret: string
}): CorrectApp {
  const stripe = new Stripe('sk_test_unused')
  const seen = new Set<string>()
  const records = new Map<string, { at: number; object: Record<string, unknown> }>()
  let processed = 0
  const app = express()

  app.post('/webhooks', express.raw({ type: '*/*' }), (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    let messageId: string
    let event: { at: number; object: unknown }
    try {
      if (options.scheme === 'stripe') {
        const e = stripe.webhooks.constructEvent(
          raw,
          req.headers['stripe-signature'] ?? '',
          options.secret,
        )
        messageId = e.id
        event = { at: e.created, object: e.data?.object }
      } else {
        const e = new Webhook(options.secret).verify(
          raw.toString('utf8'),
          req.headers as Record<string, string>,
        ) as { timestamp?: string; data?: unknown }
        messageId = String(req.headers['webhook-id'])
        event = { at: Date.parse(e.timestamp ?? '') / 1000 || 0, object: e.data }
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
    // The work, after the answer: keep the newest state of each object.
    const object = event.object as Record<string, unknown> | undefined
    const id = typeof object?.id === 'string' ? object.id : undefined
    if (object && id !== undefined && !((records.get(id)?.at ?? -Infinity) > event.at)) {
      records.set(id, { at: event.at, object })
    }
  })

  return {
    app,
    processed: () => processed,
    state: (id) => (id === undefined ? undefined : records.get(id)?.object),
  }
}

export async function startCorrectReceiver(options: {
  scheme: 'stripe' | 'standardWebhooks'
  secret: string
}): Promise<RunningApp & { state: CorrectApp['state'] }> {
  const { app, processed, state } = correctApp(options)

  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    processed,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  }
}
