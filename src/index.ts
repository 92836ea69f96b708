// The public API: re-exports only. Heavy optional parts live behind subpaths
// (hookwright/msw, hookwright/vitest, hookwright/jest) so `import 'hookwright'` stays fast.

// Errors
export { HookwrightError } from './errors.js'
export type { HookwrightErrorCode } from './errors.js'

// Delivery model
export { createDelivery, deliveryFromJSON, summarizeDelivery } from './delivery.js'
export type { Delivery, DeliveryData, DeliveryJSON, DeliveryResponse } from './delivery.js'

// Signature schemes
export { WebhookVerificationError } from './schemes/define.js'
export { verifyFailureReasons } from './schemes/types.js'
export type {
  AnyScheme,
  BodyLike,
  HeadersLike,
  Payload,
  Scheme,
  SignOptions,
  SignedRequest,
  TimeLike,
  VerifyFailure,
  VerifyFailureReason,
  VerifyOk,
  VerifyOptions,
  VerifyResult,
} from './schemes/types.js'
export { getScheme, schemeNames, schemes } from './schemes/registry.js'
export type { SchemeConfig, SchemeInput, SchemeName } from './schemes/registry.js'
export { stripe } from './schemes/stripe.js'
export { github } from './schemes/github.js'
export type { GithubSignOptions, GithubVerifyOptions } from './schemes/github.js'
export { standardWebhooks } from './schemes/standard-webhooks.js'
export type { StandardWebhooksSignOptions } from './schemes/standard-webhooks.js'
export { shopify } from './schemes/shopify.js'
export type { ShopifySignOptions } from './schemes/shopify.js'
export { slack } from './schemes/slack.js'
export { twilio } from './schemes/twilio.js'
export { gitlab, token } from './schemes/token.js'
export type { TokenConfig, TokenScheme } from './schemes/token.js'
export { hmac } from './schemes/hmac.js'
export type { HmacConfig, HmacScheme } from './schemes/hmac.js'
export { discord } from './schemes/discord.js'
export { sendgrid } from './schemes/sendgrid.js'
export { paddle } from './schemes/paddle.js'
export { square } from './schemes/square.js'
export { zoom } from './schemes/zoom.js'
export { meta } from './schemes/meta.js'
export { linear } from './schemes/linear.js'
export { hubspot } from './schemes/hubspot.js'
export type {
  TwilioScheme,
  TwilioSignOptions,
  TwilioSignedRequest,
  TwilioVerifyOptions,
} from './schemes/twilio.js'
// (more schemes: one export line each, kept in registry order)

// Receiver
export { createReceiver } from './receiver/server.js'
export { createDeliveryStore } from './receiver/store.js'
export type { DeliveryStore, DeliveryStoreOptions } from './receiver/store.js'
export { createResponder } from './receiver/script.js'
export type { ResolvedStep, Responder } from './receiver/script.js'
export type {
  DeliveryMatcher,
  DeliverySource,
  Endpoint,
  EndpointOptions,
  EndpointVerify,
  Receiver,
  ReceiverOptions,
  ReceiverRoute,
  RespondStep,
  WaitForOptions,
} from './receiver/types.js'
export { connectReceiver } from './remote/client.js'
export type { ConnectOptions, RemoteEndpoint, RemoteReceiver } from './remote/client.js'
export type { ControlInfo } from './remote/control.js'

// Assertions
export { expectWebhook, sameForEveryAttempt } from './assert/index.js'
export type {
  ArriveOptions,
  ExpectedWebhook,
  HeaderExpectation,
  PartialMatch,
  RetryDelayOptions,
  SignatureExpectation,
  ValueMatcher,
} from './assert/index.js'

// Sending
export { sendWebhook, virtualClock } from './sender/send.js'
export type {
  Clock,
  SendAttempt,
  SendOutcome,
  SendResult,
  SendWebhookOptions,
  VirtualClock,
} from './sender/send.js'
export { exponential, retryPolicies } from './sender/policies.js'
export type {
  ExponentialOptions,
  RetryContext,
  RetryPolicy,
  RetryReason,
} from './sender/policies.js'
export type { DeliverError } from './sender/deliver.js'
export { badDeliveries } from './attacks/cases.js'
export type { BadDeliveriesOptions, BadDelivery } from './attacks/cases.js'
export { checkReceiver } from './attacks/check.js'
export type { CaseResult, CheckReceiverOptions, ReceiverReport } from './attacks/check.js'

// Fixtures
export {
  fixture,
  fixtureFileSchema,
  fixtureFromDelivery,
  fixtureSchemas,
  listFixtures,
  saveFixture,
  signedFixture,
} from './fixtures/index.js'
export type {
  DeepPartial,
  FixtureFile,
  FixtureInfo,
  FixtureName,
  FixtureOptions,
  FixturePath,
  FixturePayload,
  FixtureProvider,
  SaveFixtureOptions,
  SignedFixture,
  SignedFixtureOptions,
} from './fixtures/index.js'
export { stripeEventSchema, stripeEventSchemas } from './fixtures/schemas/stripe.js'
export type { StripeEvent } from './fixtures/schemas/stripe.js'
export { githubAnyActionSchemas, githubEventSchemas } from './fixtures/schemas/github.js'
export type { GithubEvent } from './fixtures/schemas/github.js'
export { shopifyEventSchemas } from './fixtures/schemas/shopify.js'
export { slackEventSchemas } from './fixtures/schemas/slack.js'
export { twilioEventSchemas } from './fixtures/schemas/twilio.js'
export { gitlabEventSchemas } from './fixtures/schemas/gitlab.js'
export {
  standardWebhooksEventSchema,
  standardWebhooksEventSchemas,
} from './fixtures/schemas/standard-webhooks.js'
export type { StandardWebhooksEvent } from './fixtures/schemas/standard-webhooks.js'
