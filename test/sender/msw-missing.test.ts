import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildLikePackage } from '../tsup-build.js'

// A project that imports hookwright/msw without having installed msw (an optional peer): built
// as the package is, installed outside this repository so that msw cannot be found.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const project = mkdtempSync(join(tmpdir(), 'hookwright-no-msw-'))
const pkg = join(project, 'node_modules', 'hookwright')

beforeAll(async () => {
  mkdirSync(pkg, { recursive: true })
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'hookwright',
      type: 'module',
      exports: { './msw': { import: './dist/msw.js', require: './dist/msw.cjs' } },
    }),
  )
  for (const dep of ['undici', 'zod']) {
    symlinkSync(join(root, 'node_modules', dep), join(project, 'node_modules', dep), 'dir')
  }
  await buildLikePackage({ msw: join(root, 'src/msw.ts') }, join(pkg, 'dist'), ['esm', 'cjs'])
}, 60_000)
afterAll(() => rmSync(project, { recursive: true, force: true }))

const run = (code: string) =>
  execFileSync(process.execPath, ['-e', code], { cwd: project, encoding: 'utf8' })

it.each([
  [
    'import',
    `import('hookwright/msw').then(() => console.log('loaded'), (e) => console.log(e.code + ': ' + e.message))`,
  ],
  [
    'require',
    `try { require('hookwright/msw'); console.log('loaded') } catch (e) { console.log(e.code + ': ' + e.message) }`,
  ],
])('%s of hookwright/msw without msw says what to install', (_how, code) => {
  expect(run(code)).toBe('HOOKWRIGHT_MISSING_DEPENDENCY: hookwright/msw needs msw: npm i -D msw\n')
})
