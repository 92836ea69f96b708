// A webhook receiver with the classic bugs, as found in many tutorials:
//   1. express.json() first, then the HMAC over JSON.stringify(req.body) instead of the raw bytes;
//   2. `===` to compare signatures (not constant-time);
//   3. no timestamp check (a signature from last year still passes);
//   4. no replay protection (the same delivery is acted on twice).
import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import express from 'express'
import type { RunningApp } from './correct-receiver.js'

export async function startBuggyReceiver(options: {
  scheme: 'stripe' | 'standardWebhooks'
  secret: string
}): Promise<RunningApp> {
  let processed = 0
  const app = express()

  app.post('/webhooks', express.json(), (req, res) => {
    const body = JSON.stringify(req.body) // bug 1: not the bytes that were signed
    let ok: boolean
    if (options.scheme === 'stripe') {
      const header = String(req.headers['stripe-signature'] ?? '')
      const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=')))
      const expected = createHmac('sha256', options.secret)
        .update(`${parts.t}.${body}`)
        .digest('hex')
      ok = parts.v1 === expected // bug 2; and bug 3: parts.t is never compared with the clock
    } else {
      const id = String(req.headers['webhook-id'])
      const ts = String(req.headers['webhook-timestamp'])
      const key = Buffer.from(options.secret.replace(/^whsec_/, ''), 'base64')
      const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')
      const signatures = String(req.headers['webhook-signature'] ?? '').split(' ')
      ok = signatures.some((s) => s === `v1,${expected}`)
    }
    if (!ok) {
      res.status(401).send('bad signature')
      return
    }
    processed++ // bug 4: no memory of what was already processed
    res.status(200).send('ok')
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
