import { Readable } from 'node:stream'
import { setTimeout } from 'node:timers'
import type { CliIO } from '../../src/cli/io.js'
import { main } from '../../src/cli/run.js'

/** A CliIO over buffers: what a command printed, and a way to wait for a line. */
export function captureIO(stdin: string | Uint8Array = '', env: Record<string, string> = {}) {
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  const notify = () => {
    for (const w of waiters) w()
  }
  const controller = new AbortController()
  const io: CliIO = {
    stdout: { write: (s: string) => ((out += s), notify(), true) },
    stderr: { write: (s: string) => ((err += s), notify(), true) },
    stdin: Readable.from(
      stdin === '' ? [] : [typeof stdin === 'string' ? Buffer.from(stdin) : stdin],
    ),
    env,
    signal: controller.signal,
  }
  return {
    io,
    get out() {
      return out
    },
    get err() {
      return err
    },
    stop: () => controller.abort(),
    /** Resolves with the first match of `pattern` in stdout, or rejects after `ms`. */
    waitFor(pattern: RegExp, ms = 5000): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern)
          if (m) {
            waiters.delete(check)
            clearTimeout(timer)
            resolve(m)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no ${pattern} in stdout after ${ms} ms:\n${out}\nstderr:\n${err}`))
        }, ms)
        waiters.add(check)
        check()
      })
    },
  }
}

/** Runs `hookwright …argv` in-process. */
export async function cli(
  argv: string[],
  stdin: string | Uint8Array = '',
  env: Record<string, string> = {},
) {
  const c = captureIO(stdin, env)
  const code = await main(argv, c.io)
  return { code, stdout: c.out, stderr: c.err }
}
