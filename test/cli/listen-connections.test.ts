import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/run.js'
import { openSocket, readUntilClosed } from '../receiver/raw.js'
import { captureIO, cli } from './helpers.js'

const running: Array<{ stop(): void; done: Promise<number> }> = []
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop()
    await r.done
  }
})

async function listen(argv: string[]) {
  const c = captureIO()
  const done = main(['listen', '--port', '0', '--json', '--no-inspector', ...argv], c.io)
  running.push({ stop: c.stop, done })
  const ready = JSON.parse((await c.waitFor(/^(\{"listening".*)$/m))[1]!).listening
  return ready as { url: string; callback: string }
}

describe('listen: connection limits from the command line', () => {
  it('--max-connections 1: a new sender gets through, and the idle connection is answered 408', async () => {
    const ready = await listen(['--max-connections', '1'])
    const idle = await openSocket(ready.url)
    const idleOutcome = readUntilClosed(idle)
    const res = await request(ready.callback, { method: 'POST', body: '{}', reset: true })
    await res.body.dump()
    expect(res.statusCode).toBe(200)
    const outcome = await idleOutcome
    expect(outcome.text).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('--headers-timeout 300ms: a connection that sends no headers is answered 408', async () => {
    const ready = await listen(['--headers-timeout', '300ms'])
    const socket = await openSocket(ready.url)
    // The 10 s default would outlast readUntilClosed's own 5 s deadline, read as 'deadline'.
    const outcome = await readUntilClosed(socket, 5000)
    expect(outcome.ended).not.toBe('deadline')
    expect(outcome.text).toMatch(/^HTTP\/1\.1 408 /)
  })

  it.each([
    [
      ['--headers-timeout', '10 s'],
      /--headers-timeout must be a time such as 500ms, 10s or 2m \(at most 24 days\), got "10 s"/,
    ],
    [['--request-timeout', '0'], /--request-timeout must be a time such as 500ms/],
    [['--keep-alive-timeout', '25d'], /--keep-alive-timeout must be a time/],
    [['--max-connections', '0'], /--max-connections/],
    [
      ['--headers-timeout', '20s', '--request-timeout', '10s'],
      /--headers-timeout must be at most --request-timeout/,
    ],
  ])('refuses %j with exit 2', async (argv, message) => {
    const r = await cli(['listen', '--port', '0', ...argv])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('a short --request-timeout alone shortens the headers time with it (no option error)', async () => {
    const ready = await listen(['--request-timeout', '400ms'])
    const socket = await openSocket(ready.url)
    const outcome = await readUntilClosed(socket, 5000)
    expect(outcome.text).toMatch(/^HTTP\/1\.1 408 /)
  })
})
