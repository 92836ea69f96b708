import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { createStore, receiveStripe } from './stripe-events.js'

export function createApp({ secret }: { secret: string }) {
  const db = createStore()
  const app = new Hono()
  app.post('/webhooks/stripe', bodyLimit({ maxSize: 512 * 1024 }), async (c) => {
    const { status, body } = receiveStripe(
      db,
      secret,
      await c.req.text(),
      c.req.header('stripe-signature') ?? '',
    )
    return c.json(body, status as 200)
  })
  return { app, db }
}
