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
export type { SchemeName } from './schemes/registry.js'
export { stripe } from './schemes/stripe.js'
// (more schemes: one export line each, kept in registry order)

// Receiver
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
