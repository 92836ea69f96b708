import { expect, it } from 'vitest'
import { runVitest } from '../vitest-child.js'

// What a user's suite sees: vitest's own leak detector over sendWebhook and checkReceiver calls
// that have resolved. undici's request keeps its abort signal's listener unless the body is
// read to the end and the signal let go.
it(
  'vitest --detect-async-leaks reports nothing after sendWebhook and checkReceiver',
  { timeout: 120_000 },
  async () => {
    const { code, output } = await runVitest([
      '--config',
      'test/sender/leaks/vitest.config.ts',
      '--detect-async-leaks',
    ])
    expect({ code, output }).toMatchObject({ code: 0 })
    expect(output).toMatch(/Tests\s+2 passed/)
    expect(output).not.toMatch(/leaking in/)
  },
)
