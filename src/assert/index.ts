// The assertion API as index.ts exports it; the matchers are reached through hookwright/vitest and hookwright/jest.
export { expectWebhook } from './expect-webhook.js'
export type { ArriveOptions, ExpectedWebhook } from './expect-webhook.js'
export { sameForEveryAttempt } from './checks.js'
export type { HeaderExpectation, RetryDelayOptions, SignatureExpectation } from './checks.js'
export type { PartialMatch, ValueMatcher } from './partial.js'
