/** The wait when no test runner says how long a test may take: under vitest's and jest's 5 s. */
export const FALLBACK_WAIT_MS = 4000
/** The share of the runner's test timeout a default wait takes, leaving time to report. */
const SHARE = 0.8

/**
 * How long `waitFor` and `expectWebhook` wait when not told: 80% of the running test's timeout
 * as vitest or jest has it (the test's own `timeout`, else the configured `testTimeout`), or
 * 4,000 ms outside a runner. Our message then arrives before the runner's "Test timed out".
 *
 * Read at each call, from what the runners expose: vitest's worker state
 * (`globalThis.__vitest_worker__`) and jest-circus's state (a global symbol
 * `JEST_STATE_SYMBOL`). Time the test has already spent is not subtracted.
 */
export function defaultWaitTimeout(): number {
  const runner = runnerTimeout()
  return runner === undefined ? FALLBACK_WAIT_MS : Math.max(1, Math.floor(runner * SHARE))
}

/** The running test's (or hook's) timeout in milliseconds, where vitest or jest exposes it. */
export function runnerTimeout(): number | undefined {
  const g = globalThis as Record<PropertyKey, unknown>
  const vitest = g.__vitest_worker__ as VitestWorkerState | undefined
  if (vitest && typeof vitest === 'object') {
    const current = vitest.current
    if (current?.type === 'test') return usable(current.timeout)
    // In a beforeAll/afterAll the hook timeout applies.
    return usable(current ? vitest.config?.hookTimeout : vitest.config?.testTimeout)
  }
  const jestState = jestCircusState(g)
  if (jestState) {
    return usable(jestState.currentlyRunningTest?.timeout) ?? usable(jestState.testTimeout)
  }
  return undefined
}

interface VitestWorkerState {
  current?: { type?: string; timeout?: unknown }
  config?: { testTimeout?: unknown; hookTimeout?: unknown }
}

interface JestCircusState {
  testTimeout?: unknown
  currentlyRunningTest?: { timeout?: unknown } | null
}

function jestCircusState(g: Record<PropertyKey, unknown>): JestCircusState | undefined {
  // jest-circus keeps its state under a non-registered Symbol('JEST_STATE_SYMBOL') on the
  // test's global; found by its description.
  for (const key of Object.getOwnPropertySymbols(g)) {
    if (key.description === 'JEST_STATE_SYMBOL') {
      const state = g[key]
      return state && typeof state === 'object' ? (state as JestCircusState) : undefined
    }
  }
  return undefined
}

function usable(value: unknown): number | undefined {
  // 0 turns a runner's timeout off; then ours is the only one, and the fallback applies.
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}
