import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout } from 'node:timers'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'

// The built bin, as users run it (`npm run build` comes before the tests in `npm test`).
// HOOKWRIGHT_BIN points at another build of it, e.g. while dist/ is being rebuilt.
const bin = resolve(process.env.HOOKWRIGHT_BIN ?? 'dist/cli/main.js')
const children = new Set<ChildProcessWithoutNullStreams>()
let receiver: Receiver
let dir: string

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it first with \`npx tsup\`.`)
  receiver = await createReceiver({ control: true })
  dir = await mkdtemp(join(tmpdir(), 'hw-bin-'))
})
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await receiver.close()
})

function run(args: string[], stdin = '', env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin!.end(stdin)
  })
}

/** Starts a long-running bin command; `waitFor` resolves on the first stdout match within 10 s. */
function start(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args])
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => (children.delete(child), r(code))),
  )
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolvePromise, reject) => {
      const check = () => {
        const m = stdout.match(pattern)
        if (!m) return false
        clearTimeout(timer)
        child.stdout.off('data', check)
        resolvePromise(m)
        return true
      }
      const timer = setTimeout(() => {
        child.stdout.off('data', check)
        reject(
          new Error(
            `no ${pattern} from the bin within 10 s; stdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        )
      }, 10_000)
      if (!check()) child.stdout.on('data', check)
    })
  return { child, waitFor, exited, output: () => ({ stdout, stderr }) }
}

describe('the hookwright bin', () => {
  it('starts with a shebang and prints help with an example for every command', async () => {
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
    const top = await run(['--help'])
    expect(top.code).toBe(0)
    for (const command of ['listen', 'send', 'sign', 'verify', 'replay', 'export', 'fixtures']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'))
      const help = await run([command, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(new RegExp(`^Usage: hookwright ${command}`, 'm'))
      expect(help.stdout).toMatch(new RegExp(`^Examples:\\n  \\$ hookwright `, 'm'))
    }
  })

  it.each([
    [['frobnicate'], /^hookwright: unknown command "frobnicate"/],
    [['sign', '-', '--scheme', 'nope', '--secret', 'x'], /^hookwright sign: Unknown scheme "nope"/],
    [['sign', '-', '--scheme', 'stripe'], /^hookwright sign: --secret is required/],
    [
      ['verify', '--scheme', 'stripe', '--secret', 'x', '--body', '/nope'],
      /^hookwright verify: give the signature header/,
    ],
    [
      ['send', '/no/such/file', '--to', 'http://127.0.0.1:9/'],
      /^hookwright send: cannot read "\/no\/such\/file" \(ENOENT\)/,
    ],
    [
      ['replay', '/no/such.ndjson', '--to', 'http://127.0.0.1:9/'],
      /^hookwright replay: cannot read "\/no\/such\.ndjson" \(ENOENT\)/,
    ],
    [
      ['export', '--from', 'not a url'],
      /^hookwright export: --from must be an absolute http\(s\) URL/,
    ],
    [['fixtures', 'show', 'stripe/nope'], /^hookwright fixtures: No fixture/],
    [['listen', '--verify', 'stripe'], /^hookwright listen: --verify needs --secret/],
  ])('%j exits 2 with one line on stderr', async (args, message) => {
    const r = await run(args as string[])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
  })

  it('signs and verifies through pipes; a tampered body exits 1 with the reason', async () => {
    const body = '{"id":"evt_bin","type":"invoice.paid"}'
    const env = { HOOKWRIGHT_SECRET: 'whsec_bin' }
    const signed = await run(['sign', '-', '--scheme', 'stripe'], body, env)
    expect(signed.code).toBe(0)
    const header = signed.stdout.trim()
    expect(header).toMatch(/^stripe-signature: t=\d+,v1=[0-9a-f]{64}$/)
    expect(await run(['verify', '--scheme', 'stripe', '-H', header], body, env)).toMatchObject({
      code: 0,
      stdout: 'ok\n',
    })
    const bad = await run(['verify', '--scheme', 'stripe', '-H', header, '--json'], `${body} `, env)
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, reason: 'bad_signature' })
    expect(signed.stdout + bad.stdout).not.toContain('whsec_bin')
  })

  it('sends a fixture, lists fixtures, exports and replays', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'github', secret: 'gh-secret' } })
    const sent = await run([
      'send',
      'github/push',
      '--to',
      ep.url,
      '--secret',
      'gh-secret',
      '--json',
    ])
    expect(sent.code).toBe(0)
    expect(JSON.parse(sent.stdout)).toMatchObject({
      ok: true,
      final: 'delivered',
      attempts: [{ status: 200 }],
    })
    const [d] = await ep.waitFor()
    expect(d!.verification?.ok).toBe(true)

    const list = await run(['fixtures', 'list', '--provider', 'github'])
    expect(list.stdout).toMatch(/^github\/push +\S/m)

    const file = join(dir, 'export.ndjson')
    expect(
      (await run(['export', '--from', receiver.url, '--endpoint', ep.id, '--out', file])).code,
    ).toBe(0)
    const target = receiver.endpoint()
    const replayed = await run(['replay', file, '--to', target.url])
    expect(replayed.code).toBe(0)
    expect(replayed.stdout).toMatch(/^1\/1 POST \/h\/\S+ \(\S+\) → 200 in \d+ ms$/m)
    const [copy] = await target.waitFor()
    expect(Buffer.from(copy!.rawBody)).toEqual(Buffer.from(d!.rawBody))
  })

  it('runs listen: prints its URLs, a line per delivery, and stops on SIGINT', async () => {
    const listen = start(['listen', '--port', '0'])
    const [, callback] = await listen.waitFor(/^ {2}Callback {3}(\S+)/m)
    const [, inspector] = await listen.waitFor(/^ {2}Inspector {2}(\S+)/m)
    const page = await request(inspector!)
    expect(page.statusCode).toBe(200)
    expect(await page.body.text()).toContain('<title>hookwright inspector</title>')
    const res = await request(callback!, {
      method: 'POST',
      body: '{"from":"bin"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    await listen.waitFor(/ #1 POST \/h\/\S+ → 200, 14 B: \{"from":"bin"\}$/m)
    listen.child.kill('SIGINT')
    expect(await listen.exited).toBe(0)
    expect(listen.output().stderr).toContain('hookwright listen: stopped.')
  })

  it('loses no answered delivery when listen --save is killed with SIGKILL mid-load', async () => {
    const listen = start(['listen', '--port', '0', '--json', '--save', dir, '--no-inspector'])
    const [line] = await listen.waitFor(/^\{"listening".*$/m)
    const { callback, save } = JSON.parse(line!).listening as { callback: string; save: string }
    const agent = new Agent({ connections: 20 })
    const answered: string[] = []
    let next = 0
    let killed = false
    const total = 500
    const worker = async () => {
      while (next < total) {
        const id = `body-${next++}-${Math.random().toString(36).slice(2)}`
        try {
          const res = await request(callback, {
            method: 'POST',
            body: JSON.stringify({ id }),
            dispatcher: agent,
          })
          await res.body.dump()
          if (res.statusCode === 200) answered.push(id)
        } catch {
          // Cut off by the kill: not answered, so it may or may not be saved.
        }
        if (answered.length === 150 && !killed) {
          killed = true
          listen.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    expect(await listen.exited).toBe(null)
    await agent.close()
    expect(killed).toBe(true)
    expect(answered.length).toBeGreaterThanOrEqual(150)
    expect(answered.length).toBeLessThan(total)
    const text = await readFile(save, 'utf8')
    const saved = new Set(
      text
        .split('\n')
        .filter((l) => l.endsWith('}'))
        .map(
          (l) => JSON.parse(Buffer.from(JSON.parse(l).rawBody, 'base64').toString()).id as string,
        ),
    )
    const lost = answered.filter((id) => !saved.has(id))
    expect(lost).toEqual([])
  })

  it('writes nothing secret when listen verifies', async () => {
    const listen = start([
      'listen',
      '--port',
      '0',
      '--verify',
      'stripe',
      '--secret',
      'whsec_never_printed',
    ])
    await listen.waitFor(/^Keeping the last/m)
    listen.child.kill('SIGTERM')
    expect(await listen.exited).toBe(0)
    const { stdout, stderr } = listen.output()
    expect(stdout + stderr).not.toContain('whsec_never_printed')
  })
})
