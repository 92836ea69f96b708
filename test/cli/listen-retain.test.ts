import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/run.js'
import { createReceiver, type Receiver } from '../../src/index.js'
import { captureIO, cli } from './helpers.js'

const DAY = 24 * 60 * 60 * 1000
const running: Array<{ stop(): void; done: Promise<number> }> = []
let receiver: Receiver | undefined
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop()
    await r.done
  }
  await receiver?.close()
  receiver = undefined
  vi.useRealTimers()
})

async function listen(argv: string[]) {
  const c = captureIO()
  const done = main(['listen', '--port', '0', '--json', ...argv], c.io)
  running.push({ stop: c.stop, done })
  const ready = JSON.parse((await c.waitFor(/^(\{"listening".*)$/m))[1]!).listening
  return { c, ready: ready as { url: string; callback: string; maxAgeMs?: number } }
}

async function post(url: string, body: string) {
  const res = await request(url, { method: 'POST', body })
  await res.body.dump()
  return res.statusCode
}

const day = (ms: number) => `deliveries-${new Date(ms).toISOString().slice(0, 10)}.ndjson`

describe('listen --retain', () => {
  it('forgets deliveries older than the age, saves a file per day and deletes days past it', async () => {
    // Only Date is faked: sockets and timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.parse('2026-03-01T12:00:00Z')
    vi.setSystemTime(start)
    const dir = await mkdtemp(join(tmpdir(), 'hw-retain-'))
    await writeFile(join(dir, day(start - 10 * DAY)), '')
    await writeFile(join(dir, day(start - 3 * DAY)), '')
    await writeFile(join(dir, 'notes.txt'), 'not ours')

    const { ready } = await listen(['--save', dir, '--retain', '7d'])
    expect(ready.maxAgeMs).toBe(7 * DAY)
    // Days that ended more than 7 days ago are gone at start; the rest stay.
    expect((await readdir(dir)).sort()).toEqual(
      [day(start - 3 * DAY), day(start), 'notes.txt'].sort(),
    )
    for (let i = 0; i < 3; i++) expect(await post(ready.callback, `old ${i}`)).toBe(200)

    vi.setSystemTime(start + 8 * DAY)
    expect(await post(ready.callback, 'new')).toBe(200)
    const res = await request(`${ready.url}/_hookwright/deliveries`)
    const kept = (await res.body.json()) as { deliveries: unknown[]; dropped: number }
    expect(kept.deliveries).toHaveLength(1)
    expect(kept.dropped).toBe(3)
    // The new day has its own file; the first day's ended more than 7 days ago.
    expect((await readdir(dir)).sort()).toEqual([day(start + 8 * DAY), 'notes.txt'].sort())
    const saved = (await readFile(join(dir, day(start + 8 * DAY)), 'utf8')).trim().split('\n')
    expect(saved.map((l) => Buffer.from(JSON.parse(l).rawBody, 'base64').toString())).toEqual([
      'new',
    ])
  })

  it('states the real bounds in its banner', async () => {
    const c = captureIO()
    const done = main(
      ['listen', '--port', '0', '--no-inspector', '--max-bytes', '1048576', '--retain', '7d'],
      c.io,
    )
    running.push({ stop: c.stop, done })
    await c.waitFor(
      /^Keeping the last 500 deliveries in memory, at most 1 MiB of bodies and headers in all and none older than 7d; bodies over 10 MiB are answered 413\.$/m,
    )
  })

  it('refuses an age it cannot read', async () => {
    const r = await cli(['listen', '--port', '0', '--retain', '7 days'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--retain must be an age such as 90s, 30m, 12h or 7d, got "7 days"/)
  })
})

describe('replay and export read a folder of day files', () => {
  it('replays every day in order, and exports them as NDJSON', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.parse('2026-03-01T23:59:00Z')
    vi.setSystemTime(start)
    const dir = await mkdtemp(join(tmpdir(), 'hw-days-'))
    const { ready } = await listen(['--save', dir])
    expect(await post(ready.callback, 'first')).toBe(200)
    vi.setSystemTime(start + 2 * 60 * 1000)
    expect(await post(ready.callback, 'second')).toBe(200)
    vi.setSystemTime(start + DAY + 2 * 60 * 1000)
    expect(await post(ready.callback, 'third')).toBe(200)
    vi.useRealTimers()
    expect((await readdir(dir)).sort()).toEqual([
      'deliveries-2026-03-01.ndjson',
      'deliveries-2026-03-02.ndjson',
      'deliveries-2026-03-03.ndjson',
    ])

    receiver = await createReceiver()
    const target = receiver.endpoint()
    const replayed = await cli(['replay', dir, '--to', target.url])
    expect(replayed.code).toBe(0)
    expect(replayed.stdout).toMatch(/^1\/3 POST /m)
    const got = await target.waitFor({ count: 3 })
    expect(got.map((d) => d.text())).toEqual(['first', 'second', 'third'])

    const exported = await cli(['export', '--from', dir])
    expect(exported.code).toBe(0)
    const lines = exported.stdout.trim().split('\n')
    expect(lines.map((l) => Buffer.from(JSON.parse(l).rawBody, 'base64').toString())).toEqual([
      'first',
      'second',
      'third',
    ])
    const har = await cli(['export', '--from', dir, '--format', 'har'])
    expect(JSON.parse(har.stdout).log.entries).toHaveLength(3)
  })
})
