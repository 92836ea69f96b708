import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createReceiver, deliveryFromJSON, summarizeDelivery } from '../../src/index.js'

describe('a recorded delivery', () => {
  it('logs, serialises and round-trips with every field, though id and headers are lazy', async () => {
    const receiver = await createReceiver()
    try {
      const ep = receiver.endpoint()
      const res = await fetch(`${ep.url}?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Trace': 'abc' },
        body: '{"type":"invoice.paid"}',
      })
      expect(res.status).toBe(200)
      const [d] = await ep.waitFor()
      const shown = inspect(d)
      expect(shown).toContain(`id: '${d!.id}'`)
      expect(shown).toContain(`'x-trace': 'abc'`)

      const copy = deliveryFromJSON(JSON.parse(JSON.stringify(d)))
      expect(copy.id).toBe(d!.id)
      expect(copy.headers).toEqual(d!.headers)
      expect(Buffer.from(copy.rawBody).toString()).toBe('{"type":"invoice.paid"}')
      expect(copy.json()).toEqual({ type: 'invoice.paid' })
      expect(summarizeDelivery(copy)).toBe(summarizeDelivery(d!))
      expect(summarizeDelivery(d!)).toMatch(/^#1 POST \/h\/\S+\?x=1 → 200, 23 B: \{"type"/)
    } finally {
      await receiver.close()
    }
  })
})
