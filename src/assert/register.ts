import { webhookMatchers } from './matchers.js'

interface ExtendableExpect {
  extend(matchers: Record<string, unknown>): void
}

// Vitest keeps its expect here even without `globals: true`; jest injects a global `expect`.
const VITEST_EXPECT = Symbol.for('expect-global')

/**
 * Adds the matchers to the runner's global `expect`, found at run time so that neither runner
 * is imported (neither is a dependency). Returns false when there is none (jest with
 * `injectGlobals: false`): then call `expect.extend(webhookMatchers)` yourself.
 */
export function registerMatchers(runner: 'vitest' | 'jest'): boolean {
  const scope = globalThis as Record<PropertyKey, unknown>
  const candidate = runner === 'vitest' ? (scope[VITEST_EXPECT] ?? scope.expect) : scope.expect
  if (typeof (candidate as ExtendableExpect | undefined)?.extend !== 'function') return false
  ;(candidate as ExtendableExpect).extend(webhookMatchers)
  return true
}
