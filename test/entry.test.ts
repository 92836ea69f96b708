import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildLikePackage } from './tsup-build.js'

// Which packages each entry point loads when it is imported, as a user's `import` would load
// them: the entries are bundled as tsup bundles them (dependencies left outside), then imported
// by a child node whose resolve hook reports every module it loads.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const work = join(root, 'node_modules', '.cache', `hookwright-entry-${process.pid}`)

const probe = `
import { register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
const { port1, port2 } = new MessageChannel()
const urls = new Set()
port1.on('message', (url) => urls.add(url))
const hooks = 'let port; export function initialize(data) { port = data.port }' +
  ' export async function resolve(specifier, context, next) {' +
  ' const result = await next(specifier, context); port.postMessage(result.url); return result }'
register('data:text/javascript,' + encodeURIComponent(hooks), {
  data: { port: port2 },
  transferList: [port2],
})
await import(process.argv[1])
await new Promise((done) => setTimeout(done, 100))
port1.close()
console.log(JSON.stringify([...urls]))
`

function packagesLoadedBy(entry: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', probe, pathToFileURL(join(work, `${entry}.js`)).href],
    { cwd: work, encoding: 'utf8' },
  )
  const workUrl = pathToFileURL(work).href
  const packages = new Set<string>()
  for (const url of JSON.parse(out) as string[]) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
    if (match && !url.startsWith(workUrl)) packages.add(match[1]!)
  }
  return [...packages].sort()
}

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }))
  await buildLikePackage(
    { index: join(root, 'src/index.ts'), msw: join(root, 'src/msw.ts') },
    work,
    ['esm'],
  )
}, 60_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('what each entry point loads', () => {
  it("import 'hookwright' loads zod (the fixture schemas) and no other package", () => {
    // undici (~120 ms to import) is loaded on the first send or remote connection instead.
    expect(packagesLoadedBy('index')).toEqual(['zod'])
  })

  it("import 'hookwright/msw' loads msw and undici, as the probe must see", () => {
    expect(packagesLoadedBy('msw')).toEqual(expect.arrayContaining(['msw', 'undici']))
  })
})
