// hookwright/vitest: `import 'hookwright/vitest'` (in a test or a setupFiles file) adds the
// webhook matchers to vitest's expect, with their types.
// Types only (erased): the augmentation below needs the module in the program.
import type {} from 'vitest'
import type { WebhookMatchers } from './assert/matchers.js'
import { registerMatchers } from './assert/register.js'

registerMatchers('vitest')

export { webhookMatchers } from './assert/matchers.js'
export type { SignatureSecret, WebhookExpectation, WebhookMatchers } from './assert/matchers.js'

declare module 'vitest' {
  // Vitest 4 merges `Matchers` into both `expect(x)` and `expect.not…`; `T` must match its declaration.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Matchers<T = any> extends WebhookMatchers<void> {}
}
