import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { expect, it } from 'vitest'

// The warning for a chain never awaited whose source never closes comes at process exit: run in
// a child process against the built package (test/assert/unawaited.test.ts has the rest; this
// one is apart so that Stryker, which does not build dist/, can run that file).
it('warns at process exit when no source closed first (the built package)', () => {
  const dist = new URL('../../dist/index.js', import.meta.url)
  expect(existsSync(dist), 'dist/ is missing: run `npx tsup` first').toBe(true)
  // A source that never closes and holds nothing open: the process just ends.
  const script = [
    `import { expectWebhook } from ${JSON.stringify(dist.href)}`,
    "const source = { label: 'my source', deliveries: [], waitFor: () => new Promise(() => {}) }",
    'expectWebhook(source).toArrive()',
  ].join('\n')
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  expect(result.status).toBe(0)
  expect(result.stderr).toMatch(
    /^HookwrightWarning: expectWebhook\(my source\) was never awaited, so it checked nothing: add `await` at \S+:3:\d+\.\n$/,
  )
})
