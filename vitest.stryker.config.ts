import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * The suite Stryker runs (`npm run mutate`, see docs/testing.md): the unit and in-process
 * integration tests. Left out are the tests of the built package and of child processes (they run
 * `dist/`, which Stryker does not mutate, or spawn openssl, jest or the CLI), the browser test and
 * the load and leak tests, whose timings mean nothing while Stryker shares the CPU.
 */
/**
 * `HOOKWRIGHT_MUTATE_TESTS=<glob>,<glob>` runs only those test files: for a file whose covering
 * tests include slow ones (src/attacks/cases.ts is covered by every checkReceiver test, about 15 s
 * a mutant), mutate it against the tests written for it. The score then counts only what they
 * kill; docs/testing.md says which scores were measured so.
 */
const only = process.env.HOOKWRIGHT_MUTATE_TESTS?.split(',').filter((glob) => glob !== '')

const config = mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/cli/**',
        'test/entry.test.ts',
        'test/fixtures/package.test.ts',
        'test/inspector/browser.test.ts',
        'test/inspector/rebinding-browser.test.ts',
        'test/browser-lookup.test.ts',
        'test/sender/leaks.test.ts',
        'test/assert/jest.test.ts',
        'test/assert/types.test.ts',
        'test/assert/unawaited-exit.test.ts',
        'test/sender/msw-missing.test.ts',
        'test/receiver/tls.test.ts',
        'test/receiver/load.test.ts',
        'test/receiver/leaks.test.ts',
        'test/sender/third-party.test.ts',
        // The docs example builds its cases at collection time (it.each needs them then);
        // test/attacks/cases.test.ts checks the same cases inside its tests.
        'test/attacks/it-each.test.ts',
        '**/node_modules/**',
      ],
      coverage: { enabled: false },
    },
  }),
)

// Replaced, not merged: mergeConfig would add the globs to the normal suite's. A file named
// outright (no `*`) runs even if the default Stryker suite leaves it out (the TLS test, say).
if (only && only.length > 0) {
  config.test!.include = only
  const named = new Set(only.filter((glob: string) => !glob.includes('*')))
  config.test!.exclude = config.test!.exclude!.filter((glob: string) => !named.has(glob))
}

export default config
