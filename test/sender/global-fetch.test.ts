// No `import 'undici'` here: the point is a process whose first HTTP client was Node's own fetch.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'
import { sendWebhook } from '../../src/sender/send.js'

let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(() => receiver.close())

it("sends after the test used Node's built-in fetch, whose undici is the global dispatcher", async () => {
  const ep = receiver.endpoint()
  // Node's fetch installs its bundled undici as the global dispatcher; on Node 20 that one speaks
  // an older handler API than the undici package hookwright sends with.
  expect((await fetch(ep.url, { method: 'POST', body: 'from fetch' })).status).toBe(200)
  const result = await sendWebhook(ep.url, {
    scheme: 'standardWebhooks',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr',
    payload: { type: 'ping' },
  })
  expect(result.attempts.map((a) => a.status ?? a.error)).toEqual([200])
  expect(ep.deliveries.map((d) => d.text())).toEqual(['from fetch', '{"type":"ping"}'])
})
