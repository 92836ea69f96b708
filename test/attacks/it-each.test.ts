// The docs/bad-deliveries.md example, run for real against the correct express app.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { badDeliveries } from '../../src/index.js'
import { startCorrectReceiver, type RunningApp } from '../apps/correct-receiver.js'

const secret = 'whsec_docs_example'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } }
let app: RunningApp
beforeAll(async () => {
  app = await startCorrectReceiver({ scheme: 'stripe', secret })
})
afterAll(() => app.close())

it.each(badDeliveries('stripe', { payload, secret }))('$name: $expect', async (c) => {
  const before = app.processed()
  const send = () => fetch(app.url, { method: 'POST', headers: c.headers, body: c.body as string })
  if (c.sendTwice) expect((await send()).ok).toBe(true)
  const res = await send()
  // The correct app answers a duplicate 200 and ignores it, so judge the replay by what it did.
  if (c.sendTwice) expect(app.processed() - before).toBe(1)
  else expect(res.ok).toBe(c.expect === 'accept')
})
