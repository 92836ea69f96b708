import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without declarations
import { isStale } from '../../scripts/start.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwright-start-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('builds only when a source is newer than the built bin', () => {
    const stale = isStale as (dir: string) => boolean
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true })
    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), '')
    writeFileSync(join(dir, 'package.json'), '{}')
    expect(stale(dir)).toBe(true) // nothing built yet
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true })
    writeFileSync(join(dir, 'dist', 'cli', 'main.js'), '')
    const at = (file: string, seconds: number) => utimesSync(join(dir, file), seconds, seconds)
    at('src/cli/main.ts', 1000)
    at('package.json', 1000)
    at('dist/cli/main.js', 2000)
    expect(stale(dir)).toBe(false)
    at('src/cli/main.ts', 3000)
    expect(stale(dir)).toBe(true)
  })

  it('runs listen as the process npm started: SIGTERM to npm frees the port', async () => {
    const npm = spawn('npm', ['start', '--silent', '--', '--port', '0', '--no-inspector'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    npm.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
    npm.stderr.setEncoding('utf8').on('data', (s: string) => (err += s))
    const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()))
    try {
      // A build may come first (dist/ stale): wait for the banner, on events, up to 150 s.
      const port = await new Promise<number>((resolve, reject) => {
        const timer = globalThis.setTimeout(
          () => reject(new Error(`no banner:\n${out}\n${err}`)),
          150_000,
        )
        const check = () => {
          const m = /^hookwright listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(out)
          if (m) {
            clearTimeout(timer)
            resolve(Number(m[1]))
          }
        }
        npm.stdout.on('data', check)
        npm.on('exit', () => reject(new Error(`npm exited:\n${out}\n${err}`)))
      })
      // Quietly: the banner is the first thing on stdout, and stderr says at most one line.
      expect(out.split('\n')[0]).toMatch(/^hookwright listening on/)
      expect(err.trim().split('\n').filter(Boolean).length).toBeLessThanOrEqual(1)
      expect(await refused(port)).toBe(false)
      npm.kill('SIGTERM')
      await exited
      // npm is gone; whatever it started must let go of the port (checked until 10 s pass).
      let free = false
      for (const deadline = Date.now() + 10_000; !free && Date.now() < deadline;) {
        free = await refused(port)
        if (!free) await setTimeout(50)
      }
      expect(free).toBe(true)
    } finally {
      npm.kill('SIGKILL')
    }
  }, 180_000)
})

/** True when nothing accepts connections on the port. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}
