// hookwright/jest: `require('hookwright/jest')` or `import 'hookwright/jest'` (in a test or a
// setupFilesAfterEnv file) adds the webhook matchers to jest's global expect, with their types.
// Types only (erased): the augmentation below needs the module in the program.
import type {} from 'expect'
import type { WebhookMatchers } from './assert/matchers.js'
import { registerMatchers } from './assert/register.js'

registerMatchers('jest')

export { webhookMatchers } from './assert/matchers.js'
export type { SignatureSecret, WebhookExpectation, WebhookMatchers } from './assert/matchers.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // @types/jest: the global `expect(x)`. Type parameters must match its declaration.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> extends WebhookMatchers<R> {}
  }
}

declare module 'expect' {
  // `expect` from '@jest/globals' (through @jest/expect) reads these.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Matchers<R extends void | Promise<void>, T = unknown> extends WebhookMatchers<R> {}
}
