// `hookwright check` against receivers written in Python's standard library: the suite is
// language-agnostic. The correct one passes every case; the buggy one fails exactly the cases
// of its four bugs.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout } from 'node:timers'
import { afterAll, describe, expect, it } from 'vitest'
import { cli } from './helpers.js'

const secret = 'whsec_python_receivers'
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' })
const hasPython = python.status === 0
if (!hasPython) {
  const reason = `python3 not found (${python.error?.message ?? python.stderr}): the Python receivers cannot run`
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires them.`)
  console.log(`Skipping test/cli/check.test.ts: ${reason}.`)
}

const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill()
})

/** Starts a Python receiver and resolves with its base URL once it prints its port. */
function startPython(file: string, workSeconds: string): Promise<string> {
  const path = fileURLToPath(new URL(`../apps/python/${file}`, import.meta.url))
  const child = spawn('python3', [path, secret, workSeconds], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(
      () => reject(new Error(`${file} did not start in 10 s: ${err}`)),
      10_000,
    )
    child.stderr!.on('data', (c: Buffer) => (err += c))
    child.stdout!.on('data', (c: Buffer) => {
      out += c
      const port = /listening on (\d+)/.exec(out)?.[1]
      if (port) {
        clearTimeout(timer)
        resolve(`http://127.0.0.1:${port}`)
      }
    })
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${err}`)))
  })
}

const args = (base: string, ...more: string[]) => [
  'check',
  `${base}/webhooks`,
  '--scheme',
  'stripe',
  '--secret',
  secret,
  '--processed-url',
  `${base}/processed`,
  // The buggy receiver works 1 s before answering (so it always answers past 0.9 s); the
  // correct one answers at once, with 0.9 s to spare on a busy machine. The run stays short.
  '--answer-time-limit',
  '900',
  ...more,
]

describe.skipIf(!hasPython)('hookwright check against Python receivers', () => {
  it('passes the correct receiver on every case (exit 0), and writes JUnit XML', async () => {
    const base = await startPython('correct_receiver.py', '1')
    const text = await cli(args(base))
    expect(text.stderr).toBe('')
    expect(text.stdout).toMatch(/all 2\d cases answered as expected/)
    console.log(`Python correct receiver: ${text.stdout.match(/⏱.*/)?.[0]}`)
    expect(text.code).toBe(0)

    const junit = await cli(args(base, '--format', 'junit', '--only', 'idempotency,robustness'))
    expect(junit.code).toBe(0)
    expect(junit.stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="hookwright" tests="\d+" failures="0"/,
    )
    expect(junit.stdout).toContain(
      '<testcase classname="hookwright.idempotency" name="concurrent-duplicates">',
    )
    expect(junit.stdout).toContain(
      '<testcase classname="hookwright.robustness" name="oversized-body"',
    )
    expect(junit.stdout).not.toContain('hookwright.signature')
  })

  it('names exactly the bugs of the buggy receiver (exit 1), in every format', async () => {
    const base = await startPython('buggy_receiver.py', '1')
    const json = await cli(args(base, '--format', 'json'))
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout) as {
      ok: boolean
      failed: string[]
      results: Array<{ name: string; verdict: string; timing?: { p50Ms: number; maxMs: number } }>
    }
    expect(report.ok).toBe(false)
    expect(
      report.results
        .filter((r) => r.verdict !== 'ok')
        .map((r) => [r.name, r.verdict])
        .sort(),
    ).toEqual(
      [
        // 1. JSON re-serialised before the HMAC
        ['json-whitespace-changed', 'wrongly-accepted'],
        ['valid-pretty-json', 'wrongly-rejected'],
        // 2. no timestamp check
        ['timestamp-too-old', 'wrongly-accepted'],
        // 3. non-atomic dedupe
        ['concurrent-duplicates', 'wrongly-accepted'],
        // 4. the work before the answer
        ['answer-time', 'too-slow'],
      ].sort(),
    )
    const timing = report.results.find((r) => r.name === 'answer-time')!.timing!
    console.log(
      `answer-time, Python buggy receiver: p50 ${timing.p50Ms} ms, max ${timing.maxMs} ms`,
    )

    const junit = await cli(args(base, '--format', 'junit', '--only', 'concurrent-duplicates'))
    expect(junit.code).toBe(1)
    expect(junit.stdout).toContain('failures="1"')
    expect(junit.stdout).toMatch(
      /<testcase classname="hookwright.idempotency" name="concurrent-duplicates">\n {6}<failure type="wrongly-accepted" message="wrongly accepted: got 200">[^<]*Processed 5 times/,
    )
  }, 60_000)
})

describe('hookwright check: misuse', () => {
  it('needs a URL, a known format and case names', async () => {
    const noUrl = await cli(['check', '--scheme', 'stripe', '--secret', 's'])
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toMatch(/give the receiver URL/)
    const format = await cli([
      'check',
      'http://127.0.0.1:9/',
      '--scheme',
      'stripe',
      '--secret',
      's',
      '--format',
      'xml',
    ])
    expect(format.code).toBe(2)
    expect(format.stderr).toMatch(/--format must be one of text, json, junit/)
    const only = await cli([
      'check',
      'http://127.0.0.1:9/',
      '--scheme',
      'stripe',
      '--secret',
      's',
      '--only',
      'bogus',
    ])
    expect(only.code).toBe(2)
    expect(only.stderr).toMatch(/`only`.*got "bogus"/)
    expect(only.stderr).not.toContain('whsec')
  })

  it('a receiver that is not there: every case reported as no answer, exit 1', async () => {
    const down = await cli([
      'check',
      'http://127.0.0.1:9/webhooks',
      '--scheme',
      'github',
      '--secret',
      's3cret-value',
      '--only',
      'valid,tampered-body',
    ])
    expect(down.code).toBe(1)
    expect(down.stdout).toMatch(/2 of 2 cases answered wrongly/)
    expect(down.stdout).toMatch(/✗ valid: no answer/)
    expect(down.stdout).not.toContain('s3cret-value')
  })
})
