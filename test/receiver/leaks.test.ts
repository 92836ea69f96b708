import { expect, it } from 'vitest'
import { runVitest } from '../vitest-child.js'

// What a user's suite sees: vitest's own leak detector, run over a project whose receivers are
// closed in afterEach, mid-conversation and inside a test, beside one that is never closed.
it(
  'vitest --detect-async-leaks reports a forgotten receiver and none that were closed',
  { timeout: 120_000 },
  async () => {
    const { code, output } = await runVitest([
      '--config',
      'test/receiver/leaks/vitest.config.ts',
      '--detect-async-leaks',
    ])
    expect({ code, output }).toMatchObject({ code: 0 })
    expect(output).toMatch(/Tests\s+4 passed/)
    const leaks = [...output.matchAll(/^(\w+) leaking in (\S+)$/gm)].map(([, kind, file]) => ({
      kind,
      file,
    }))
    expect(leaks).toEqual([
      { kind: 'TCPSERVERWRAP', file: 'test/receiver/leaks/unclosed.leak-test.ts' },
    ])
  },
)
