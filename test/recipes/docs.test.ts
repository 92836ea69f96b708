// docs/recipes.md shows the recipe files of this directory verbatim (with the import of
// hookwright written as a user writes it), so every recipe on that page is a test that runs.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const page = readFileSync(`${root}docs/recipes.md`, 'utf8')

const recipes = [
  'test/recipes/apps/stripe-events.ts',
  'test/recipes/apps/express.ts',
  'test/recipes/express.test.ts',
  'test/recipes/apps/fastify.ts',
  'test/recipes/fastify.test.ts',
  'test/recipes/apps/hono.ts',
  'test/recipes/hono.test.ts',
  'test/recipes/apps/next/app/api/webhooks/stripe/route.ts',
  'test/recipes/next.test.ts',
  'test/recipes/apps/node-http.ts',
  'test/recipes/node-http.test.ts',
]

it.each(recipes)('docs/recipes.md shows %s as it is', (path) => {
  const blocks = [...page.matchAll(/```ts\n\/\/ (\S+)\n([\s\S]*?)```/g)]
  const shown = blocks.find((b) => b[1] === path)
  expect(shown, `docs/recipes.md has no block for ${path}`).toBeDefined()
  const file = readFileSync(`${root}${path}`, 'utf8').replace(
    "'../../src/index.js'",
    "'hookwright'",
  )
  expect(shown![2]).toBe(file)
})

it('shows every recipe test of the directory', () => {
  const shown = [...page.matchAll(/```ts\n\/\/ (test\/recipes\/[^\n]+\.test\.ts)\n/g)].map(
    (m) => m[1],
  )
  expect(shown.sort()).toEqual(recipes.filter((r) => r.endsWith('.test.ts')).sort())
})
