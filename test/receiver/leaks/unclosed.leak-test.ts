import { expect, it } from 'vitest'
import { createReceiver } from '../../../src/index.js'

// The control: a receiver never closed must be reported, or the clean report of
// closed.leak-test.ts would prove nothing.
it('forgets to close a receiver', async () => {
  const forgotten = await createReceiver()
  expect(forgotten.port).toBeGreaterThan(0)
})
