import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// A project of its own, run by ../workers.test.ts as a child process: one receiver started in
// globalSetup, shared by test files running in several worker processes. The root stays the
// package root, so vitest's cache goes where the main run's does.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['test/remote/workers/*.worker-test.ts'],
    globalSetup: ['test/remote/workers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: true,
    testTimeout: 30_000,
  },
})
