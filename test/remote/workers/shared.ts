import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { connectReceiver, stripe, type RemoteReceiver } from '../../../src/index.js'

/**
 * The tests every worker file runs against the one shared receiver; `file` tells the parent test
 * which file (and process) each delivery came from.
 */
export function workerTests(file: string): void {
  let receiver: RemoteReceiver

  beforeAll(async () => {
    receiver = await connectReceiver(inject('hookwrightUrl'), { token: inject('hookwrightToken') })
  })

  afterAll(async () => {
    await receiver.close()
  })

  it('receives a signed event on an endpoint of its own', async () => {
    const { signSecret, verifySecret } = stripe.generateSecret()
    const ep = await receiver.endpoint({ verify: { scheme: 'stripe', secret: verifySecret } })
    const payload = { type: `${file}.paid`, pid: process.pid, file }
    const { headers, body } = stripe.sign({ payload, secret: signSecret })
    const res = await fetch(ep.url, { method: 'POST', headers, body: body as BodyInit })
    expect(res.status).toBe(200)

    const [delivery] = await ep.waitFor({ timeout: 5000 })
    expect(delivery?.verification).toMatchObject({ ok: true })
    expect(delivery?.text()).toBe(body)
    // Other workers post to the same receiver at the same time; this endpoint sees only its own.
    expect(ep.deliveries).toHaveLength(1)
  })

  it('answers with its own script, attempt by attempt', async () => {
    const ep = await receiver.endpoint({ respond: [503, 200] })
    const send = () =>
      fetch(ep.url, { method: 'POST', body: JSON.stringify({ pid: process.pid, file }) })
    expect((await send()).status).toBe(503)
    expect((await send()).status).toBe(200)
    const attempts = await ep.waitFor({ count: 2, timeout: 5000 })
    expect(attempts.map((d) => d.attempt)).toEqual([1, 2])
  })
}
