import { setImmediate } from 'node:timers/promises'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createReceiver, expectWebhook, type Receiver } from '../../src/index.js'

// An expectWebhook chain without `await` checks nothing and the test passes: the user is told
// when the receiver (or the endpoint) closes, at the line that made the chain.
const warnings: Error[] = []
const collect = (warning: Error) => {
  if ((warning as { code?: string }).code === 'HOOKWRIGHT_UNAWAITED') warnings.push(warning)
}
let receiver: Receiver
beforeEach(async () => {
  warnings.length = 0
  process.on('warning', collect)
  receiver = await createReceiver()
})
afterEach(async () => {
  await receiver.close()
  process.off('warning', collect)
})

const lineOf = (error: Error) => Number(/unawaited\.test\.ts:(\d+):/.exec(error.stack ?? '')?.[1])
// process.emitWarning emits on the next tick.
const settled = () => setImmediate()

it('warns when the receiver closes with a chain never awaited, naming its line', async () => {
  const ep = receiver.endpoint()
  const [, here] = [expectWebhook(ep).toArrive({ times: 1 }), new Error('here')]
  await receiver.close()
  await settled()
  expect(warnings).toHaveLength(1)
  expect(warnings[0]!.name).toBe('HookwrightWarning')
  expect(warnings[0]!.message).toMatch(
    /^expectWebhook\(endpoint http:\/\/127\.0\.0\.1:\d+\/h\/\S+\) was never awaited, so it checked nothing: add `await` at \S+unawaited\.test\.ts:\d+:\d+\.$/,
  )
  expect(Number(/unawaited\.test\.ts:(\d+):/.exec(warnings[0]!.message)?.[1])).toBe(lineOf(here))
})

it('warns when the endpoint closes, and only once', async () => {
  const ep = receiver.endpoint()
  void expectWebhook(ep).withMethod('POST')
  await ep.close()
  await receiver.close()
  await settled()
  expect(warnings).toHaveLength(1)
})

it('says nothing about chains that were awaited', async () => {
  const ep = receiver.endpoint()
  await expect(expectWebhook(ep).not.toArrive({ within: 10 })).resolves.toEqual([])
  const failing = expectWebhook(receiver).toArrive({ within: 10 })
  await expect(failing).rejects.toThrow(/expected at least 1 delivery/)
  await receiver.close()
  await settled()
  expect(warnings).toEqual([])
})

it('says nothing about a chain that ended in a misuse error: the error already told the user', async () => {
  const ep = receiver.endpoint()
  expect(() => expectWebhook(ep).toArrive({ times: 0 })).toThrow(/Invalid option `toArrive times`/)
  expect(() => expectWebhook(ep).withValidSignature({ scheme: 'stripe' } as never)).toThrow(
    /pass `secret` or `secrets`/,
  )
  expect(() => expectWebhook(ep).withMethod('')).toThrow(/Invalid option `method`/)
  // A chain that went on after a step that worked is still reported.
  void expectWebhook(ep).withMethod('POST')
  await receiver.close()
  await settled()
  expect(warnings).toHaveLength(1)
})
