import Fastify from 'fastify'
import { createStore, receiveStripe } from './stripe-events.js'

export function createApp({ secret }: { secret: string }) {
  const db = createStore()
  const app = Fastify({ bodyLimit: 512 * 1024 })
  // Keep the raw text: Stripe signs the bytes, not a re-serialisation.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  app.post('/webhooks/stripe', async (req, reply) => {
    const signature = String(req.headers['stripe-signature'] ?? '')
    const { status, body } = receiveStripe(db, secret, req.body as string, signature)
    return reply.code(status).send(body)
  })
  return { app, db }
}
