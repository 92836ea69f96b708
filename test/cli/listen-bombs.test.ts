import { resourceUsage } from 'node:process'
import { createBrotliCompress, createDeflate, createGzip, constants } from 'node:zlib'
import type { Transform } from 'node:stream'
import { request } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/run.js'
import { captureIO } from './helpers.js'

const MiB = 1024 * 1024
/** Each bomb inflates to this; `listen`'s callback decodes no more than 10 MiB. */
const INFLATED = 256 * MiB

/** A compressed run of zeros, made in chunks so that making it does not raise peak memory. */
async function bomb(encoding: 'gzip' | 'deflate' | 'br'): Promise<Buffer> {
  const stream: Transform =
    encoding === 'gzip'
      ? createGzip({ level: 6 })
      : encoding === 'deflate'
        ? createDeflate({ level: 6 })
        : createBrotliCompress({
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 4,
              [constants.BROTLI_PARAM_SIZE_HINT]: INFLATED,
            },
          })
  const out: Buffer[] = []
  stream.on('data', (c: Buffer) => out.push(c))
  const done = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject))
  const zeros = Buffer.alloc(MiB)
  for (let i = 0; i < INFLATED / MiB; i++) {
    if (!stream.write(zeros)) await new Promise((resolve) => stream.once('drain', resolve))
  }
  stream.end()
  await done
  return Buffer.concat(out)
}

const stops: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const stop of stops.splice(0)) await stop()
})

describe('hookwright listen under decompression bombs', () => {
  it('answers other senders and keeps memory flat while bombs of every encoding arrive', async () => {
    const bombs = {
      gzip: await bomb('gzip'),
      deflate: await bomb('deflate'),
      br: await bomb('br'),
    }
    const c = captureIO()
    const done = main(['listen', '--port', '0', '--no-inspector'], c.io)
    stops.push(() => (c.stop(), done))
    const callback = (await c.waitFor(/^ {2}Callback {3}(\S+)/m))[1]!
    const before = resourceUsage().maxRSS

    const post = async (body: Buffer | string, headers: Record<string, string>) => {
      const res = await request(callback, { method: 'POST', body, headers })
      await res.body.dump()
      return res.statusCode
    }
    const good: Array<Promise<number>> = []
    const bad: Array<Promise<number>> = []
    for (let round = 0; round < 3; round++) {
      for (const [encoding, body] of Object.entries(bombs)) {
        bad.push(post(body, { 'content-encoding': encoding, 'content-type': 'application/json' }))
      }
      for (let i = 0; i < 10; i++) {
        const n = round * 10 + i
        good.push(post(JSON.stringify({ good: n }), { 'content-type': 'application/json' }))
      }
    }
    // Every good sender is answered, while the bombs are in flight and after.
    expect(await Promise.all(good)).toEqual(Array(30).fill(200))
    expect(await Promise.all(bad)).toEqual(Array(9).fill(200))

    // One line per delivery: the bombs say so instead of inflating; the good ones show their body.
    await c.waitFor(/(?:\d\d:\d\d:\d\d\.\d{3} #\d+ POST .*\n){39}/, 20_000)
    const lines = c.out.split('\n').filter((l) => / #\d+ POST /.test(l))
    expect(lines).toHaveLength(39)
    const bombLines = lines.filter((l) => l.includes('(body inflates past 10.0 MB)'))
    expect(bombLines).toHaveLength(9)
    for (let n = 0; n < 30; n++) {
      expect(lines.filter((l) => l.endsWith(`: {"good":${n}}`))).toHaveLength(1)
    }
    // Lines come out in the order the deliveries were answered (attempt numbers).
    const attempts = lines.map((l) => Number(/ #(\d+) POST /.exec(l)![1]))
    expect(attempts).toEqual(attempts.toSorted((a, b) => a - b))

    // 9 bombs of 256 MiB each were summarised, and the process's peak memory grew by less than
    // half of one (what it grows by is mostly decoded chunks awaiting the garbage collector,
    // which V8 lets pass 64 MiB before it collects them).
    const grownMiB = (resourceUsage().maxRSS - before) / 1024
    expect(grownMiB).toBeLessThan(128)
  })
})
