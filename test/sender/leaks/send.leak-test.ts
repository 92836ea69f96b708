import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkReceiver, createReceiver, sendWebhook, type Receiver } from '../../../src/index.js'

// Every request here has been answered and read by the time its call resolves: none may be
// reported as leaking.
let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(() => receiver.close())

it('sendWebhook, delivered and refused', async () => {
  const ok = receiver.endpoint()
  const refused = receiver.endpoint({ respond: 401 })
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const payload = { type: 'ping' }
  const results = await Promise.all([
    sendWebhook(ok.url, { scheme: 'standardWebhooks', secret, payload }),
    sendWebhook(refused.url, { scheme: 'standardWebhooks', secret, payload }),
  ])
  expect(results.map((r) => r.attempts[0]?.status)).toEqual([200, 401])
})

it('checkReceiver', async () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const ep = receiver.endpoint({ verify: { scheme: 'standardWebhooks', secret } })
  const report = await checkReceiver(ep.url, {
    scheme: 'standardWebhooks',
    secret,
    payload: { type: 'ping' },
  })
  expect(report.results.length).toBeGreaterThan(5)
})
