import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver, expectWebhook, HookwrightError, type Receiver } from '../../src/index.js'
import { defaultWaitTimeout, runnerTimeout } from '../../src/runner-timeout.js'

// What a user sees when a wait fails: our message, before the runner's, pointing at their line,
// naming what went astray.
let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver()
})
afterAll(() => receiver.close())

async function post(url: string, body = '{}') {
  const res = await request(url, { method: 'POST', body })
  await res.body.dump()
  return res.statusCode
}

async function rejection(promise: Promise<unknown>): Promise<HookwrightError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HookwrightError)
  return error as HookwrightError
}

const lineOf = (error: Error) => Number(/wait\.test\.ts:(\d+):/.exec(error.stack ?? '')?.[1])

describe('waitFor and expectWebhook finish before the test runner does', () => {
  it('wait 80% of the running test timeout by default', { timeout: 5000 }, async () => {
    expect(runnerTimeout()).toBe(5000)
    const ep = receiver.endpoint()
    const [error, assertion] = await Promise.all([
      rejection(ep.waitFor()),
      rejection(Promise.resolve(expectWebhook(ep).toArrive())),
    ])
    expect(error.message).toMatch(/^Timed out after 4000 ms waiting for 1 delivery at endpoint/)
    expect(assertion.message).toContain('expected at least 1 delivery within 4000 ms')
  })

  it('follow the configured testTimeout when the test sets none', () => {
    // vitest.config.ts: testTimeout 30_000.
    expect(runnerTimeout()).toBe(30_000)
    expect(defaultWaitTimeout()).toBe(24_000)
  })
})

describe('a waitFor timeout', () => {
  it('names requests that reached the receiver at an unknown path or another endpoint', async () => {
    const ep = receiver.endpoint()
    const other = receiver.endpoint({ name: 'github' })
    expect(await post(`${receiver.url}/webhooks`)).toBe(404)
    expect(await post(other.url)).toBe(200)
    const error = await rejection(ep.waitFor({ timeout: 20 }))
    expect(error.code).toBe('HOOKWRIGHT_TIMEOUT')
    expect(error.message).toContain(
      [
        'Nothing arrived.',
        '1 request reached this receiver at an unknown path: POST /webhooks → 404',
        `1 request went to other endpoints of this receiver: POST ${other.path} → 200`,
      ].join('\n'),
    )
    receiver.clear()
  })

  it('points at the line that called waitFor, not at a timer', async () => {
    const ep = receiver.endpoint()
    const [waiting, here] = [ep.waitFor({ timeout: 10 }), new Error('here')]
    const error = await rejection(waiting)
    expect(lineOf(error)).toBe(lineOf(here))
    expect(error.stack).not.toMatch(/listOnTimeout|node:internal\/timers/)
    expect(error.stack).toMatch(/^HookwrightError: Timed out after 10 ms/)
  })

  it('refuses a misspelled option instead of waiting the default', () => {
    const ep = receiver.endpoint()
    expect(() => ep.waitFor({ timeoutMs: 300 } as never)).toThrow(
      'Invalid option `waitFor({ timeoutMs })`: expected one of count, timeout, match, got "timeoutMs". Did you mean `timeout`?',
    )
    expect(() => receiver.waitFor({ cuont: 2 } as never)).toThrow(/Did you mean `count`\?$/)
  })
})
