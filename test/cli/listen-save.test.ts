import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { run as listenRun } from '../../src/cli/commands/listen.js'
import type { SaveFs } from '../../src/cli/save.js'
import { captureIO } from './helpers.js'

const running: Array<{ stop(): void; done: Promise<number> }> = []
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop()
    await r.done
  }
})

async function listen(argv: string[], saveFs?: SaveFs) {
  const c = captureIO()
  const done = listenRun(['--port', '0', '--no-inspector', ...argv], c.io, saveFs ? { saveFs } : {})
  running.push({ stop: c.stop, done })
  const callback = (await c.waitFor(/^ {2}Callback {3}(\S+)/m))[1]!
  return { c, done, callback }
}

async function post(url: string, body: string) {
  const res = await request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  })
  return { status: res.statusCode, body: await res.body.text() }
}

const today = () => `deliveries-${new Date().toISOString().slice(0, 10)}.ndjson`

/** Every line of a saved file, each of which must be a whole delivery. */
async function savedBodies(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8')
  if (text === '') return []
  expect(text.endsWith('\n')).toBe(true)
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => Buffer.from(JSON.parse(line).rawBody, 'base64').toString())
}

describe('listen --save when the disk fails', () => {
  it('answers 503 save_failed on /dev/full, says so once, and keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hw-save-full-'))
    await symlink('/dev/full', join(dir, today()))
    const { c, done, callback } = await listen(['--save', dir])
    for (let i = 0; i < 3; i++) {
      const res = await post(callback, JSON.stringify({ i }))
      expect(res.status).toBe(503)
      expect(JSON.parse(res.body)).toMatchObject({ error: 'save_failed' })
    }
    await c.waitFor(/#3 POST \/h\/\S+ → 503 save_failed/)
    const notes = c.err.split('\n').filter((l) => l.includes('not saving'))
    expect(notes).toEqual([
      expect.stringMatching(
        /^hookwright listen: not saving \(cannot write to .*ENOSPC.*\); answering 503/,
      ),
    ])
    // Still listening: nothing exited.
    const state = await Promise.race([done.then(() => 'exited'), Promise.resolve('running')])
    expect(state).toBe('running')
  })

  it('writes whole lines through short writes, and cuts a line a failing writer left half done', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hw-save-inject-'))
    let budget = Infinity
    const writes: number[] = []
    // Real files; writes come back short (at most 7 bytes each) and fail with ENOSPC mid-line
    // once `budget` bytes are spent.
    const saveFs: SaveFs = {
      ...(fs as unknown as SaveFs),
      writeSync(fd, buffer, offset, length) {
        const n = Math.min(length, 7, budget)
        if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' })
        budget -= n
        writes.push(n)
        return fs.writeSync(fd, buffer, offset, n)
      },
    }
    const { c, callback } = await listen(['--save', dir], saveFs)
    expect((await post(callback, '{"n":1}')).status).toBe(200)
    expect(writes.length).toBeGreaterThan(10)
    budget = 50
    expect((await post(callback, '{"n":2}')).status).toBe(503)
    expect(await savedBodies(join(dir, today()))).toEqual(['{"n":1}'])
    budget = Infinity
    // The next delivery tries again, and saving works again.
    expect((await post(callback, '{"n":3}')).status).toBe(200)
    expect(await savedBodies(join(dir, today()))).toEqual(['{"n":1}', '{"n":3}'])
    await c.waitFor(/#3 POST .* → 200/)
    expect(c.err).toMatch(/not saving \(cannot write to .* \(ENOSPC\)\)/)
    expect(c.err).toMatch(/saving again to .*deliveries-\d{4}-\d\d-\d\d\.ndjson/)
  })

  describe('on a small tmpfs', () => {
    const mountPoint = fs.mkdtempSync(join(tmpdir(), 'hw-save-tmpfs-'))
    let reason: string | undefined
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], {
        stdio: 'pipe',
      })
    } catch (error) {
      reason = String((error as { stderr?: Buffer }).stderr ?? error).trim()
      console.warn(`skipping the tmpfs test: mount failed (${reason})`)
    }
    afterAll(async () => {
      if (reason === undefined) execFileSync('umount', [mountPoint])
      await rm(mountPoint, { recursive: true, force: true })
    })

    it.skipIf(reason !== undefined)(
      'fills the disk: saved lines stay whole, full answers 503, and freeing space resumes saving',
      async () => {
        const { c, callback } = await listen(['--save', mountPoint])
        const body = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(20_000) })
        const statuses: number[] = []
        for (let n = 0; n < 20; n++) statuses.push((await post(callback, body(n))).status)
        const ok = statuses.filter((s) => s === 200).length
        // 256 KiB hold some 20 KB deliveries (base64 in JSON), not twenty.
        expect(ok).toBeGreaterThan(3)
        expect(ok).toBeLessThan(20)
        expect(statuses.slice(ok)).toEqual(Array(20 - ok).fill(503))
        const saved = await savedBodies(join(mountPoint, today()))
        expect(saved.map((b) => JSON.parse(b).n)).toEqual([...Array(ok).keys()])
        expect(c.err).toMatch(/not saving \(cannot write to .*ENOSPC/)

        // Make room (as a user would) and the next delivery is saved.
        await writeFile(
          join(mountPoint, today()),
          (await readFile(join(mountPoint, today()), 'utf8')).split('\n').slice(-3).join('\n'),
        )
        expect((await post(callback, body(99))).status).toBe(200)
        const after = await savedBodies(join(mountPoint, today()))
        expect(JSON.parse(after.at(-1)!).n).toBe(99)
        expect(c.err).toMatch(/saving again to/)
      },
    )
  })
})
