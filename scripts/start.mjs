// `npm start`: `hookwright listen` from this checkout. Builds dist/ only when a source is newer
// than the built bin, quietly, then runs listen in this very process. package.json says
// `exec node scripts/start.mjs`, so npm's `sh -c` becomes this process: the process npm started
// is listen itself, and the SIGTERM or Ctrl-C npm passes on reaches it (a `build && node …`
// chain left a shell in between, and `node` holding the port after the shell was stopped).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** True when dist/cli/main.js is missing or older than a file the build reads. */
export function isStale(dir) {
  const bin = join(dir, 'dist', 'cli', 'main.js')
  if (!existsSync(bin)) return true
  const built = statSync(bin).mtimeMs
  const inputs = ['package.json', 'tsup.config.ts', 'tsconfig.json']
    .map((file) => join(dir, file))
    .filter((file) => existsSync(file))
  return [...inputs, ...filesUnder(join(dir, 'src'))].some((file) => statSync(file).mtimeMs > built)
}

function filesUnder(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (isStale(root)) {
    process.stderr.write('hookwright: building dist/ (sources changed)…\n')
    const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')
    const build = spawnSync(process.execPath, [tsup, '--silent'], { cwd: root, encoding: 'utf8' })
    if (build.status !== 0) {
      process.stderr.write(`${build.stdout}${build.stderr}hookwright: the build failed.\n`)
      process.exit(build.status ?? 1)
    }
  }
  // The bin reads its arguments from process.argv: `npm start -- --port 0` → `listen --port 0`.
  process.argv = [
    process.argv[0],
    join(root, 'dist', 'cli', 'main.js'),
    'listen',
    ...process.argv.slice(2),
  ]
  await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href)
}
