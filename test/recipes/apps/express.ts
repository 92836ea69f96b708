import express from 'express'
import { createStore, receiveStripe } from './stripe-events.js'

export function createApp({ secret }: { secret: string }) {
  const db = createStore()
  const app = express()
  // The raw bytes, as signed (express.raw's default limit, 100 kB, refuses bigger bodies).
  app.post('/webhooks/stripe', express.raw({ type: '*/*' }), (req, res) => {
    const { status, body } = receiveStripe(db, secret, req.body, req.get('stripe-signature') ?? '')
    res.status(status).json(body)
  })
  return { app, db }
}
