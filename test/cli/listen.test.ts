import { readFile, mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/run.js'
import { stripe } from '../../src/index.js'
import { captureIO } from './helpers.js'

const running: Array<{ stop(): void; done: Promise<number> }> = []

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop()
    await r.done
  }
})

/** Starts `hookwright listen …` in-process and waits for its callback URL. */
async function listen(argv: string[], env: Record<string, string> = {}) {
  const c = captureIO('', env)
  const done = main(['listen', ...argv], c.io)
  running.push({ stop: c.stop, done })
  const json = argv.includes('--json')
  const match = json
    ? await c.waitFor(/^(\{"listening".*)$/m)
    : await c.waitFor(/^ {2}Callback {3}(\S+)/m)
  const callback = json ? (JSON.parse(match[1]!).listening.callback as string) : match[1]!
  return { c, done, callback }
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  })
  await res.body.dump()
  return res.statusCode
}

describe('hookwright listen', () => {
  it('prints the inspector, the callback and a curl line, then one line per delivery', async () => {
    const { c, callback } = await listen(['--port', '0'])
    expect(c.out).toMatch(/^hookwright listening on http:\/\/127\.0\.0\.1:\d+$/m)
    expect(c.out).toMatch(
      /^ {2}Inspector {2}http:\/\/127\.0\.0\.1:\d+\/_hookwright\/inspect\/[\w-]+$/m,
    )
    expect(c.out).toContain(
      `  Try        curl -sS -X POST ${callback} -H 'content-type: application/json'`,
    )
    expect(c.out).toMatch(/Keeping the last 500 deliveries in memory/)
    expect(await post(`${callback}?attempt=a`, '{"hello":"world"}')).toBe(200)
    const [line] = await c.waitFor(
      /^\d\d:\d\d:\d\d\.\d{3} #1 POST \/h\/\S+\?attempt=a → 200, 17 B: \{"hello":"world"\}$/m,
    )
    expect(line).toContain(new URL(callback).pathname)
    const origin = new URL(callback).origin
    expect(await post(`${origin}/wrong/path`, '{}')).toBe(404)
    await c.waitFor(/#1 POST \/wrong\/path → 404, 2 B/)
  })

  it('opens the inspector and control API only by loopback names and each --allowed-host', async () => {
    const { callback } = await listen([
      '--port',
      '0',
      '--allowed-host',
      'box.test',
      '--allowed-host',
      '.dev.test',
    ])
    const origin = new URL(callback).origin
    const status = async (host: string) => {
      const res = await request(`${origin}/_hookwright/deliveries`, { headers: { host } })
      await res.body.dump()
      return [host, res.statusCode]
    }
    for (const host of ['localhost', 'box.test', 'a.dev.test:4400']) {
      expect(await status(host)).toEqual([host, 200])
    }
    expect(await status('evil.test')).toEqual(['evil.test', 403])
    expect(await post(callback, '{}', { host: 'evil.test' })).toBe(200)
  })

  it('verifies signatures with --verify and never prints the secret', async () => {
    const secret = 'whsec_listen_secret'
    const { c, callback } = await listen(['--port', '0', '--verify', 'stripe', '--secret', secret])
    expect(c.out).toMatch(/\(checks stripe signatures\)/)
    // `npx`: a local install has no `hookwright` on PATH.
    expect(c.out).toMatch(
      /^ {2}Try {8}echo .+ \| npx hookwright sign - --scheme stripe --curl --to http/m,
    )
    expect(await post(callback, '{"unsigned":true}')).toBe(401)
    await c.waitFor(/POST \/h\/\S+ → 401 missing_header/)
    const signed = stripe.sign({ payload: { signed: true }, secret })
    expect(await post(callback, signed.body as string, signed.headers)).toBe(200)
    await c.waitFor(/#2 POST \/h\/\S+ → 200 signature ok/)
    expect(c.out + c.err).not.toContain(secret)
  })

  it('prints NDJSON with --json and appends each delivery to --save DIR before answering', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hw-listen-'))
    const { c, callback } = await listen(['--port', '0', '--json', '--save', dir, '--max', '2'])
    const ready = JSON.parse(c.out.split('\n')[0]!).listening
    const today = new Date().toISOString().slice(0, 10)
    expect(ready).toMatchObject({
      maxDeliveries: 2,
      save: join(dir, `deliveries-${today}.ndjson`),
      saveDir: dir,
    })
    expect(ready.inspector).toMatch(/\/_hookwright\/inspect\//)
    for (const n of [1, 2, 3]) {
      expect(await post(callback, JSON.stringify({ n }))).toBe(200)
      // Written before the response went out: the file has it as soon as the sender has its answer.
      const saved = (await readFile(ready.save, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(saved).toHaveLength(n)
      expect(Buffer.from(saved[n - 1].rawBody, 'base64').toString()).toBe(JSON.stringify({ n }))
    }
    await c.waitFor(/(\{"id".*\n){3}/)
    const lines = c.out
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l))
    expect(lines.map((d) => d.attempt)).toEqual([1, 2, 3])
    expect(lines[0]).toMatchObject({
      method: 'POST',
      bodyEncoding: 'base64',
      response: { status: 200 },
    })
    // --max 2 bounds the history the control API serves.
    const res = await request(`${ready.url}/_hookwright/deliveries`)
    const body = (await res.body.json()) as { deliveries: unknown[]; dropped: number }
    expect(body.deliveries).toHaveLength(2)
    expect(body.dropped).toBe(1)
  })

  it('guards the control API and the page with --token, and serves no page with --no-inspector', async () => {
    const { c, callback } = await listen(['--port', '0', '--token', 'tok-123'])
    const origin = new URL(callback).origin
    expect(c.out).toMatch(/Inspector {2}http:\S+#token=<your --token>$/m)
    expect(c.out).not.toContain('tok-123')
    expect((await request(`${origin}/_hookwright/deliveries`)).statusCode).toBe(401)
    const ok = await request(`${origin}/_hookwright/deliveries`, {
      headers: { authorization: 'Bearer tok-123' },
    })
    expect(ok.statusCode).toBe(200)
    await ok.body.dump()
    const bare = await listen(['--port', '0', '--no-inspector'])
    const bareOrigin = new URL(bare.callback).origin
    expect(bare.c.out).not.toMatch(/Inspector|Control/)
    expect(await post(`${bareOrigin}/_hookwright/inspect/new`, '{}')).toBe(404)
    const side = await listen(['--port', '0', '--no-inspector', '--control'])
    expect(side.c.out).toMatch(/^ {2}Control {4}http:\/\/127\.0\.0\.1:\d+\/_hookwright\/$/m)
  })

  it('falls back to a free port when the default one is taken, and warns beyond loopback', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const busy = (blocker.address() as AddressInfo).port
    try {
      const { c, callback } = await listen([], { HOOKWRIGHT_PORT: String(busy) })
      expect(c.err).toContain(
        `Port ${busy} is in use; listening on ${new URL(callback).port} instead`,
      )
      const explicit = await cliRun(['listen', '--port', String(busy)])
      expect(explicit.code).toBe(2)
      expect(explicit.err).toBe(
        `hookwright listen: cannot listen on 127.0.0.1:${busy} (EADDRINUSE): choose another --port or --host.\n`,
      )
    } finally {
      blocker.close()
    }
    const wide = await listen(['--port', '0', '--host', '0.0.0.0', '--no-inspector', '--control'])
    expect(wide.c.err).toMatch(
      /^warning: bound to 0\.0\.0\.0: other machines can send to this receiver and use its control API \(set --token\)\.$/m,
    )
  })

  it('stops cleanly and says so', async () => {
    const { c, done } = await listen(['--port', '0'])
    c.stop()
    expect(await done).toBe(0)
    expect(c.err).toContain('hookwright listen: stopped.')
  })

  it.each([
    [['--verify', 'nope', '--secret', 's'], /Unknown scheme "nope"/],
    [['--verify', 'stripe'], /--verify needs --secret/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--max', '0'], /--max must be a whole number from 1/],
    [['--token', ''], /--token must not be empty/],
  ])('refuses %j with one line', async (argv, message) => {
    const r = await cliRun(['listen', ...argv])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err.trimEnd().split('\n')).toHaveLength(1)
  })

  it('refuses a --save path it cannot write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hw-listen-'))
    const file = join(dir, 'a-file')
    await writeFile(file, 'x')
    const r = await cliRun(['listen', '--port', '0', '--save', join(file, 'sub')])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/cannot write to --save ".*a-file\/sub" \(ENOTDIR\)/)
  })
})

async function cliRun(argv: string[]) {
  const c = captureIO()
  const code = await main(argv, c.io)
  return { code, out: c.out, err: c.err }
}
