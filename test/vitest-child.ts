import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Runs vitest as a child process in the package root (a project of its own, given by `args`)
 * and resolves with its exit code and everything it printed, colours stripped.
 */
export async function runVitest(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  // The child is a vitest run of its own: nothing of this run's worker state may leak into it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL)/.test(key)),
  )
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], {
    cwd: root,
    env: { ...env, ...extraEnv, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  // eslint-disable-next-line no-control-regex
  return { code, output: output.replace(/\x1b\[[0-9;]*m/g, '') }
}
