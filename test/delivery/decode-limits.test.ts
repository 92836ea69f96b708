import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connectReceiver,
  createReceiver,
  deliveryFromJSON,
  HookwrightError,
  peekBody,
  summarizeDelivery,
  type Receiver,
} from '../../src/index.js'

const MiB = 1024 * 1024
const zeros = Buffer.alloc(16 * MiB)
const compress = {
  gzip: (b: Buffer) => gzipSync(b),
  deflate: (b: Buffer) => deflateSync(b),
  br: (b: Buffer) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
}
/** 16 MiB of zeros in each encoding: a few KiB on the wire. */
const bombs = Object.entries(compress).map(([encoding, fn]) => [encoding, fn(zeros)] as const)

let receiver: Receiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

async function post(url: string, body: Buffer | string, headers: Record<string, string>) {
  const res = await request(url, { method: 'POST', body, headers })
  await res.body.dump()
  return res.statusCode
}

describe('decoding a compressed body stops at the limit', () => {
  it.each(bombs)(
    'Content-Encoding %s: text() and json() throw HOOKWRIGHT_INVALID_BODY past maxBodyBytes',
    async (encoding, body) => {
      receiver = await createReceiver()
      const ep = receiver.endpoint({ maxBodyBytes: 1 * MiB })
      expect(await post(ep.url, body, { 'content-encoding': encoding })).toBe(200)
      const [d] = await ep.waitFor()
      let thrown: unknown
      try {
        d!.text()
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(HookwrightError)
      expect((thrown as HookwrightError).code).toBe('HOOKWRIGHT_INVALID_BODY')
      expect((thrown as Error).message).toContain(`the body inflates past ${MiB} bytes`)
      expect(() => d!.json()).toThrow(/inflates past 1048576 bytes/)
      // The bytes as sent are still there.
      expect(Buffer.from(d!.rawBody).equals(body)).toBe(true)
    },
  )

  it('never throws a raw ERR_STRING_TOO_LONG: 640 MiB behind 640 KiB of gzip members', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint()
    // gzip allows members back to back, and decoders inflate them all.
    const member = gzipSync(Buffer.alloc(64 * MiB))
    const body = Buffer.concat(Array(10).fill(member))
    expect(await post(ep.url, body, { 'content-encoding': 'gzip' })).toBe(200)
    const [d] = await ep.waitFor()
    let thrown: unknown
    try {
      d!.text()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(HookwrightError)
    expect((thrown as HookwrightError).code).toBe('HOOKWRIGHT_INVALID_BODY')
    expect((thrown as Error).message).toContain('inflates past 10485760 bytes')
  })

  it('decodes what fits: the limit is the endpoint’s maxBodyBytes', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ maxBodyBytes: 32 * MiB })
    const json = JSON.stringify({ pad: 'x'.repeat(12 * MiB) })
    expect(await post(ep.url, gzipSync(json), { 'content-encoding': 'gzip' })).toBe(200)
    const [d] = await ep.waitFor()
    expect(d!.json<{ pad: string }>().pad).toHaveLength(12 * MiB)
    // The default endpoint (10 MiB) refuses the same body.
    const small = receiver.endpoint()
    expect(await post(small.url, gzipSync(json), { 'content-encoding': 'gzip' })).toBe(200)
    const [s] = await small.waitFor()
    expect(() => s!.text()).toThrow(/inflates past 10485760 bytes/)
  })

  it("a copy decodes as far as the original: toJSON keeps the endpoint's limit", async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint({ maxBodyBytes: 32 * MiB })
    const json = JSON.stringify({ pad: 'x'.repeat(12 * MiB) })
    expect(await post(ep.url, gzipSync(json), { 'content-encoding': 'gzip' })).toBe(200)
    const [d] = await ep.waitFor()
    const copy = deliveryFromJSON(JSON.parse(JSON.stringify(d)))
    expect(copy.json<{ pad: string }>().pad).toHaveLength(12 * MiB)
    expect(d!.toJSON().maxDecodedBytes).toBe(32 * MiB)
    // A delivery at the default limit says nothing more than before.
    const plain = receiver.endpoint()
    expect(await post(plain.url, '{}', {})).toBe(200)
    const [p] = await plain.waitFor()
    expect('maxDecodedBytes' in p!.toJSON()).toBe(false)
    // A limit in JSON is still capped at 64 MiB, and a broken one is refused by name.
    const capped = deliveryFromJSON({ ...d!.toJSON(), maxDecodedBytes: 2 ** 40 })
    expect(capped.toJSON().maxDecodedBytes).toBe(64 * MiB)
    expect(() => deliveryFromJSON({ ...d!.toJSON(), maxDecodedBytes: -1 })).toThrow(
      'Invalid option `maxDecodedBytes`: expected a whole number of bytes >= 1, got -1.',
    )
  })

  it("a remote receiver's copy decodes as far as the receiver's", async () => {
    receiver = await createReceiver({ control: true })
    const remote = await connectReceiver(receiver.url)
    try {
      const ep = await remote.endpoint({ maxBodyBytes: 32 * MiB })
      const json = JSON.stringify({ pad: 'y'.repeat(12 * MiB) })
      expect(await post(ep.url, gzipSync(json), { 'content-encoding': 'gzip' })).toBe(200)
      const [d] = await ep.waitFor()
      expect(d!.json<{ pad: string }>().pad).toHaveLength(12 * MiB)
    } finally {
      await remote.close()
    }
  })

  it('summaries inflate only the start, and peekBody says how far a bomb goes', async () => {
    receiver = await createReceiver()
    const ep = receiver.endpoint()
    const text = 'a'.repeat(64 * MiB)
    expect(await post(ep.url, gzipSync(text), { 'content-encoding': 'gzip' })).toBe(200)
    const [d] = await ep.waitFor()
    // 64 MiB of "a" behind 64 KiB of gzip: the summary shows 79 of them, not a thrown error.
    expect(summarizeDelivery(d!)).toMatch(/ → 200, \d+\.\d KB: a{79}…$/)
    const peek = await peekBody(d!, { want: 100, limit: 10 * MiB })
    expect(peek.inflatesPast).toBe(10 * MiB)
    expect(Buffer.from(peek.prefix).toString()).toBe('a'.repeat(100))
    expect(summarizeDelivery(d!, { peek })).toMatch(/: \(body inflates past 10\.0 MB\)$/)
    const small = await peekBody(
      {
        ...d!,
        headers: { 'content-encoding': 'br' },
        rawBody: compress.br(Buffer.from('{"a":1}')),
      },
      { want: 100, limit: 10 * MiB },
    )
    expect(small).toEqual({ prefix: Buffer.from('{"a":1}') })
  })

  it('JSON-pattern waits on the control API skip bombs and still find the match', async () => {
    receiver = await createReceiver({ control: true })
    const ep = receiver.endpoint()
    const waiting = request(`${receiver.url}/_hookwright/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        endpoint: ep.id,
        match: { json: { type: 'wanted' } },
        timeout: 20_000,
      }),
    })
    for (const [encoding, body] of bombs) {
      expect(await post(ep.url, body, { 'content-encoding': encoding })).toBe(200)
    }
    // A bomb that inflates to JSON (a huge string) is not JSON within the limit either.
    const hugeJson = gzipSync(JSON.stringify({ type: 'x'.repeat(20 * MiB) }))
    expect(await post(ep.url, hugeJson, { 'content-encoding': 'gzip' })).toBe(200)
    expect(await post(ep.url, '{"type":"wanted"}', { 'content-type': 'application/json' })).toBe(
      200,
    )
    const res = await waiting
    const found = (await res.body.json()) as { deliveries: Array<{ attempt: number }> }
    expect(res.statusCode).toBe(200)
    expect(found.deliveries.map((d) => d.attempt)).toEqual([5])
  })
})
