// The public API: re-exports only. Heavy optional parts live behind subpaths
// (hookwright/msw, hookwright/vitest, hookwright/jest) so `import 'hookwright'` stays fast.

// Errors
export { HookwrightError } from './errors.js'
export type { HookwrightErrorCode } from './errors.js'

// Delivery model
export {
  createDelivery,
  deliveryFromJSON,
  peekBody,
  summarizeDelivery,
  MAX_DECODED_BYTES,
} from './delivery.js'
export type {
  BodyPeek,
  Delivery,
  DeliveryData,
  DeliveryJSON,
  DeliveryResponse,
} from './delivery.js'

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
export { standardWebhooks, svix } from './schemes/standard-webhooks.js'
export type { StandardWebhooksSignOptions } from './schemes/standard-webhooks.js'
export { shopify } from './schemes/shopify.js'
export type {
  ShopifyConfig,
  ShopifyHeaderStyle,
  ShopifyScheme,
  ShopifySignOptions,
  ShopifyVerifyOptions,
} from './schemes/shopify.js'
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
export type { BadDeliveriesOptions, BadDelivery, CaseGroup } from './attacks/cases.js'
export { checkReceiver, runCases } from './attacks/check.js'
export type {
  AnswerTiming,
  CaseResult,
  CheckReceiverOptions,
  ReceiverReport,
  Verdict,
} from './attacks/check.js'
export { reportToJUnit } from './attacks/junit.js'
export { defaultLimits, providerLimits } from './attacks/limits.js'
export type { ProviderLimits } from './attacks/limits.js'
export { defaultPairs } from './attacks/pair.js'
export type { EventPair } from './attacks/pair.js'
export { simulateProvider } from './attacks/simulate.js'
export type {
  SimulatedAttempt,
  SimulateProviderOptions,
  SimulationReport,
} from './attacks/simulate.js'
export type { FetchHandler, NodeListener, ReceiverTarget } from './attacks/target.js'

// Fixtures (the zod schemas are the hookwright/schemas entry, loaded on first use)
export {
  fixture,
  fixtureFromDelivery,
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
export type { GithubEvent, StandardWebhooksEvent, StripeEvent } from './schemas.js'
// Moved to hookwright/schemas: these stand-ins throw HOOKWRIGHT_MOVED, saying where, when used.
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
} from './fixtures/moved.js'
export type { Moved } from './fixtures/moved.js'
