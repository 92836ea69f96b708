// hookwright/msw: capture a team's outbound webhooks in the test process. Kept apart from the
// main entry so that msw, an optional peer dependency, loads only when this subpath is imported.
export { interceptWebhooks } from './sender/intercept.js'
export type { InterceptWebhooksOptions, WebhookInterceptor } from './sender/intercept.js'
