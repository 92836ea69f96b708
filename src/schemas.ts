// hookwright/schemas: the zod schemas of the fixtures, with their inferred types. A subpath of
// its own because zod costs ~60 ms to load: `import 'hookwright'` stays fast, and `fixture()`
// loads these (this same module, so one zod) only when it first checks a payload.
export {
  fixtureFileSchema,
  fixtureSchemas,
  githubAnyActionSchemas,
  githubEventSchemas,
  gitlabEventSchemas,
  shopifyEventSchemas,
  slackEventSchemas,
  standardWebhooksEventSchema,
  standardWebhooksEventSchemas,
  stripeEventSchema,
  stripeEventSchemas,
  twilioEventSchemas,
} from './fixtures/schemas/index.js'
export type {
  FixtureFile,
  GithubEvent,
  StandardWebhooksEvent,
  StripeEvent,
} from './fixtures/schemas/index.js'
export type { FixtureName, FixturePayload } from './fixtures/catalog.js'
