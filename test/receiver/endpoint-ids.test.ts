import { expect, it } from 'vitest'
import { createReceiver } from '../../src/receiver/server.js'

// An endpoint id ends up in shell commands (`hookwright export --endpoint ID`), where one that
// starts with "-" reads as an option: 1 base64url id in 64 did, and the export test failed then.
it('mints unguessable endpoint ids that start with a letter or digit', async () => {
  const receiver = await createReceiver()
  try {
    const ids = Array.from({ length: 4000 }, () => receiver.endpoint().id)
    expect(ids.filter((id) => !/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
    // Still random in every position: each of the 12 positions takes many values.
    for (let i = 0; i < 12; i++) {
      expect(new Set(ids.map((id) => id[i])).size).toBeGreaterThan(40)
    }
  } finally {
    await receiver.close()
  }
})
