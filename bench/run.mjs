// Runs every bench/*.bench.mjs in its own process, one after the other, so one benchmark's JIT
// state and garbage do not colour the next. `npm run bench` builds first: benches import ../dist.
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const files = (await readdir(here))
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort()

if (files.length === 0) {
  console.error(`No bench/*.bench.mjs matched ${only.length ? only.join(', ') : '(any)'}.`)
  process.exit(1)
}

const failed = []
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, file)], { stdio: 'inherit' })
    child.on('error', () => resolve(1))
    child.on('exit', (status, signal) => resolve(signal ? 1 : (status ?? 1)))
  })
  if (code !== 0) failed.push(`${file} (exit ${code})`)
}

if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`)
  process.exit(1)
}
