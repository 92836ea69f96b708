/**
 * How long a provider waits for an answer, and the biggest body it sends, with where each
 * figure comes from. Data, like `retryPolicies`, so a report can cite its source.
 */
export interface ProviderLimits {
  /** The scheme name (`github`, `stripe`, …). */
  readonly name: string
  /** Milliseconds the provider waits for an answer before it counts the delivery as failed. */
  readonly timeoutMs: number
  /** Where `timeoutMs` comes from; a note where the provider publishes no number. */
  readonly timeoutSource: string
  /** The biggest body the provider sends, in bytes; undefined where none is documented. */
  readonly maxBodyBytes?: number
  /** Where `maxBodyBytes` comes from. */
  readonly maxBodySource?: string
}

const SECOND = 1000

/**
 * The documented answer timeouts (and body caps, where published) of the providers whose
 * receivers `checkReceiver` times. A scheme not listed gets `defaultLimits`.
 *
 * @example
 * providerLimits.slack.timeoutMs // 3000
 */
export const providerLimits: Readonly<Record<string, ProviderLimits>> = Object.freeze({
  github: Object.freeze({
    name: 'github',
    timeoutMs: 10 * SECOND,
    timeoutSource:
      'https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds',
    maxBodyBytes: 25 * 1024 * 1024,
    maxBodySource: 'https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap',
  }),
  shopify: Object.freeze({
    name: 'shopify',
    // One second to connect, five in all.
    timeoutMs: 5 * SECOND,
    timeoutSource: 'https://shopify.dev/docs/apps/webhooks/configuration/https',
  }),
  slack: Object.freeze({
    name: 'slack',
    timeoutMs: 3 * SECOND,
    timeoutSource: 'https://api.slack.com/apis/events-api#responding',
  }),
  stripe: Object.freeze({
    name: 'stripe',
    // Stripe counts slow answers as "Timed out" but publishes no figure; GitHub's 10 s is used.
    timeoutMs: 10 * SECOND,
    timeoutSource:
      'https://docs.stripe.com/webhooks#acknowledge-events-immediately (no figure published; 10 s assumed)',
  }),
  standardWebhooks: Object.freeze({
    name: 'standardWebhooks',
    // "A recommended request timeout value for webhooks is somewhere between 15 and 30s."
    timeoutMs: 15 * SECOND,
    timeoutSource:
      'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#request-timeouts',
  }),
})

/** For schemes with no documented figure: 10 s, and a 1 MiB body cap. */
export const defaultLimits = Object.freeze({
  timeoutMs: 10 * SECOND,
  timeoutSource: 'no documented timeout for this scheme; 10 s assumed',
  maxBodyBytes: 1024 * 1024,
  maxBodySource: 'no documented maximum for this scheme; 1 MiB assumed',
})

/** The limits that apply to a scheme, with the defaults filled in. */
export function limitsFor(scheme: string): Required<ProviderLimits> {
  const known = providerLimits[scheme]
  return {
    name: scheme,
    timeoutMs: known?.timeoutMs ?? defaultLimits.timeoutMs,
    timeoutSource: known?.timeoutSource ?? defaultLimits.timeoutSource,
    maxBodyBytes: known?.maxBodyBytes ?? defaultLimits.maxBodyBytes,
    maxBodySource: known?.maxBodySource ?? defaultLimits.maxBodySource,
  }
}
