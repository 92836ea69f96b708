import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// A project of its own, run by ../leaks.test.ts as a child process with vitest's
// --detect-async-leaks: what a user's suite sees of the sender's requests once they resolve.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['test/sender/leaks/*.leak-test.ts'],
    testTimeout: 30_000,
  },
})
