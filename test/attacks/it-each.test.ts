// The docs/bad-deliveries.md examples, run for real: over HTTP against the correct express
// app, and in-process against the correct fetch handler through `toRequest`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { badDeliveries } from '../../src/index.js'
import { startCorrectReceiver, type RunningApp } from '../apps/correct-receiver.js'
import { fetchReceiver } from '../apps/fetch-receiver.js'

const secret = 'whsec_docs_example'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } }

describe('over HTTP', () => {
  let app: RunningApp
  beforeAll(async () => {
    app = await startCorrectReceiver({ scheme: 'stripe', secret })
  })
  afterAll(() => app.close())

  it.each(badDeliveries('stripe', { payload, secret }))('$name: $expect', async (c) => {
    const before = app.processed()
    const send = (r: { headers: Record<string, string>; body: string | Uint8Array } = c) =>
      fetch(app.url, { method: 'POST', headers: r.headers, body: r.body as string })
    if (c.sendTwice) expect((await send()).ok).toBe(true)
    if (c.sendFirst) expect((await send(c.sendFirst)).ok).toBe(true)
    const res = await send()
    // The correct app answers a duplicate 200 and ignores it, so judge the replay by what it did.
    if (c.sendTwice) expect(app.processed() - before).toBe(1)
    else expect(res.ok).toBe(c.expect === 'accept')
    if (c.sendFirst) expect(app.processed() - before).toBe(1)
  })
})

describe('in-process, a fetch handler', () => {
  const app = fetchReceiver({ scheme: 'stripe', secret })
  const url = 'http://localhost/api/webhooks/stripe'

  it.each(badDeliveries('stripe', { payload, secret }))('$name: $expect', async (c) => {
    const before = app.processed()
    if (c.sendTwice) expect((await app.fetch(c.toRequest(url))).ok).toBe(true)
    if (c.sendFirst) {
      const first = new Request(url, { method: 'POST', ...c.sendFirst })
      expect((await app.fetch(first)).ok).toBe(true)
    }
    const res = await app.fetch(c.toRequest(url))
    if (c.sendTwice || c.sendFirst) expect(app.processed() - before).toBe(1)
    if (!c.sendTwice) expect(res.ok).toBe(c.expect === 'accept')
  })
})
