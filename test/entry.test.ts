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
  const workUrl = pathToFileURL(work).href
  const packages = new Set<string>()
  for (const url of urlsLoadedBy(entry)) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
    if (match && !url.startsWith(workUrl)) packages.add(match[1]!)
  }
  return [...packages].sort()
}

function urlsLoadedBy(entry: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', probe, pathToFileURL(join(work, `${entry}.js`)).href],
    { cwd: work, encoding: 'utf8' },
  )
  return JSON.parse(out) as string[]
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
  it("import 'hookwright' loads no package at import", () => {
    // undici (~120 ms to import) is loaded on the first send or remote connection, zod (~60 ms)
    // and the fixture schemas on the first fixture or schema use.
    expect(packagesLoadedBy('index')).toEqual([])
  })

  it("import 'hookwright' leaves node:https and node:timers/promises for when they are used", () => {
    const urls = urlsLoadedBy('index')
    expect(urls).toContain('node:http')
    expect(urls).not.toContain('node:https')
    expect(urls).not.toContain('node:timers/promises')
  })

  it("import 'hookwright/schemas' loads zod and no other package", () => {
    expect(packagesLoadedBy('schemas')).toEqual(['zod'])
  })

  // msw itself is loaded with require (so that a project without it is told what to install),
  // which the probe's ESM resolve hook does not see; undici shows that the probe sees packages.
  it("import 'hookwright/msw' loads undici, as the probe must see", () => {
    expect(packagesLoadedBy('msw')).toEqual(expect.arrayContaining(['undici']))
  })

  it('fixture() loads the schemas on first use, sharing one zod with hookwright/schemas', () => {
    const code = `
      import { createRequire } from 'node:module'
      const hookwright = await import(${JSON.stringify(pathToFileURL(join(work, 'index.js')).href)})
      const require = createRequire(import.meta.url)
      const zodLoaded = () => Object.keys(require.cache).some((path) => /[\\/]zod[\\/]/.test(path))
      const payload = hookwright.fixture('stripe/invoice.paid', {}, { seed: 1 })
      let refused = ''
      try {
        hookwright.fixture('stripe/invoice.paid', { data: { object: { amount_paid: 'x' } } })
      } catch (error) {
        refused = error.code
      }
      const { stripeEventSchema } = await import(${JSON.stringify(pathToFileURL(join(work, 'schemas.js')).href)})
      const { z } = await import('zod')
      console.log(JSON.stringify({
        id: payload.id,
        refused,
        sameZod: stripeEventSchema instanceof z.ZodType,
        parsed: stripeEventSchema.safeParse(payload).success,
        commonJsZod: zodLoaded(),
      }))
    `
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: work,
        encoding: 'utf8',
      }),
    ) as Record<string, unknown>
    expect(out).toEqual({
      id: expect.stringMatching(/^evt_/),
      refused: 'HOOKWRIGHT_FIXTURE_INVALID',
      sameZod: true,
      parsed: true,
      // The ESM build loads the ESM schemas entry: zod's CommonJS copy is never loaded.
      commonJsZod: false,
    })
  })
})
