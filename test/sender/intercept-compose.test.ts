import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it } from 'vitest'
import { interceptWebhooks, type WebhookInterceptor } from '../../src/msw.js'

// msw intercepts once per process: a second interceptor, or a second msw server, would take the
// first one's requests. Say so, and offer the way to share one server.
const open: Array<{ close(): unknown }> = []
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close()
})
const track = <T extends { close(): unknown }>(thing: T): T => (open.push(thing), thing)

describe('interceptWebhooks while something else intercepts', () => {
  it('refuses a second interceptor, naming the first and where it was made', async () => {
    const [, here] = [track(interceptWebhooks({ origin: 'https://a.test' })), new Error('here')]
    const line = /intercept-compose\.test\.ts:(\d+):/.exec(here.stack ?? '')?.[1]
    expect(() => interceptWebhooks({ origin: 'https://b.test' })).toThrow(
      expect.objectContaining({
        code: 'HOOKWRIGHT_ALREADY_INTERCEPTING',
        message: expect.stringMatching(
          new RegExp(
            `^interceptWebhooks: interceptor https://a\\.test \\(made at \\S+intercept-compose\\.test\\.ts:${line}:\\d+\\) is still intercepting\\. Close it first`,
          ),
        ),
      }),
    )
    await open.pop()!.close()
    // Once closed, a new one may start.
    const next = track(interceptWebhooks({ origin: 'https://b.test' }))
    expect((await fetch('https://b.test/hook', { method: 'POST', body: 'x' })).status).toBe(200)
    expect(next.deliveries).toHaveLength(1)
  })

  it("refuses to start a second msw server beside the user's own", () => {
    const server = track(setupServer())
    server.listen({ onUnhandledRequest: 'bypass' })
    expect(() => interceptWebhooks({ origin: 'https://hooks.test' })).toThrow(
      /an msw server of your own is already listening.*interceptWebhooks\(\{ origin, server \}\)/,
    )
  })

  it("shares the user's msw server: both answer, and closing the interceptor leaves theirs", async () => {
    const server = track(
      setupServer(http.get('https://api.test/user', () => HttpResponse.json({ name: 'Ada' }))),
    )
    server.listen({ onUnhandledRequest: 'bypass' })
    const hooks: WebhookInterceptor = interceptWebhooks({
      origin: 'https://hooks.test',
      respond: 202,
      server,
    })
    const hook = await fetch('https://hooks.test/h', { method: 'POST', body: '{"a":1}' })
    const api = await fetch('https://api.test/user')
    expect([hook.status, await api.json()]).toEqual([202, { name: 'Ada' }])
    const [delivery] = await hooks.waitFor({ timeout: 1000 })
    expect(delivery!.json()).toEqual({ a: 1 })
    await hooks.close()
    expect(await (await fetch('https://api.test/user')).json()).toEqual({ name: 'Ada' })
    // Closed: the user's server no longer answers for the webhook origin through us.
    expect(hooks.deliveries).toHaveLength(1)
  })
})
