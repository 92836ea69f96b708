import { createHash, randomBytes } from 'node:crypto'
import { Pool } from 'undici'
import { describe, expect, it } from 'vitest'
import { createReceiver } from '../../src/index.js'

const TOTAL = 20_000
const CONNECTIONS = 100

// Random text, sliced at a different offset per request: unique bodies without a randomBytes call each.
const PAD = Buffer.from(randomBytes(300_000).toString('base64'))

function pad(i: number, size: number): Buffer {
  const start = (i * 7919) % (PAD.length - size)
  return PAD.subarray(start, start + size)
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

describe('receiver under load', () => {
  it(`records ${TOTAL} POSTs over ${CONNECTIONS} connections, every body intact`, async () => {
    // The default bound is 10,000 deliveries; this test is about losing none below the bound.
    const receiver = await createReceiver({ maxDeliveries: TOTAL })
    const ep = receiver.endpoint({ methods: ['POST'] })
    const pool = new Pool(receiver.url, { connections: CONNECTIONS, pipelining: 1 })
    const sent = new Map<string, number>()
    let next = 0
    const statuses: number[] = []
    // CONNECTIONS workers, each sending one request at a time: 100 requests always in flight.
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < TOTAL) {
          const i = next++
          // Unique, mostly small, and every 250th big enough to arrive in several chunks.
          const size = i % 250 === 0 ? 200_000 : 64 + (i % 97) * 8
          const body = Buffer.concat([
            Buffer.from(`{"i":${i},"pad":"`),
            pad(i, size),
            Buffer.from('"}'),
          ])
          sent.set(sha256(body), i)
          const res = await pool.request({
            path: ep.path,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
          statuses.push(res.statusCode)
          await res.body.dump()
        }
      }),
    )
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(receiver.dropped).toBe(0)
    const got = ep.deliveries
    expect(got).toHaveLength(TOTAL)
    expect(receiver.deliveries).toHaveLength(TOTAL)
    const seen = new Set(got.map((d) => sha256(d.rawBody)))
    const missing = [...sent.keys()].filter((hash) => !seen.has(hash))
    expect(missing).toEqual([])
    expect(seen.size).toBe(TOTAL)
    expect(new Set(got.map((d) => d.attempt)).size).toBe(TOTAL)
    // Still answering afterwards.
    const after = await pool.request({ path: ep.path, method: 'POST', body: 'after' })
    expect(after.statusCode).toBe(200)
    await after.body.dump()
    await pool.close()
    await receiver.close()
    // Generous: about 4 s on an idle 2-core machine; this only guards against a hang.
  }, 120_000)
})
