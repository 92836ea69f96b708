import type { IncomingMessage, ServerResponse } from 'node:http'
import { createStore, receiveStripe } from './stripe-events.js'

const LIMIT = 512 * 1024

/** A plain node:http request listener: `http.createServer(createListener(…).listener)`. */
export function createListener({ secret }: { secret: string }) {
  const db = createStore()
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    if (req.method !== 'POST' || req.url !== '/webhooks/stripe') return send(404, {})
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= LIMIT) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > LIMIT) return send(413, { error: 'too large' })
      const signature = String(req.headers['stripe-signature'] ?? '')
      const { status, body } = receiveStripe(db, secret, Buffer.concat(chunks), signature)
      send(status, body)
    })
  }
  return { listener, db }
}
