import { describeValue, HookwrightError, invalidOption } from '../errors.js'
import { didYouMean } from '../suggest.js'
import { refuseBlank } from './define.js'
import { github } from './github.js'
import { shopify } from './shopify.js'
import { slack } from './slack.js'
import { standardWebhooks, svix } from './standard-webhooks.js'
import { stripe } from './stripe.js'
import { discord } from './discord.js'
import { hmac } from './hmac.js'
import { hubspot } from './hubspot.js'
import { linear } from './linear.js'
import { meta } from './meta.js'
import { paddle } from './paddle.js'
import { sendgrid } from './sendgrid.js'
import { square } from './square.js'
import { gitlab, token } from './token.js'
import { twilio } from './twilio.js'
import { zoom } from './zoom.js'
import type { AnyScheme } from './types.js'

/**
 * Every built-in scheme by its registry name. Receiver endpoints, the sender, the attack
 * generator and the CLI accept these names wherever they take a scheme.
 */
export const schemes = {
  stripe,
  github,
  standardWebhooks,
  svix,
  shopify,
  slack,
  twilio,
  token,
  gitlab,
  hmac,
  discord,
  sendgrid,
  paddle,
  square,
  zoom,
  meta,
  linear,
  hubspot,
} as const satisfies Record<string, AnyScheme>

export type SchemeName = keyof typeof schemes

/**
 * What every scheme parameter takes: a registry name (`'stripe'`, `'standardWebhooks'`, …) or a
 * scheme value (a built-in one, or your own from `defineScheme` / `hmac.with`).
 */
export type SchemeInput = SchemeName | AnyScheme

// Names people reach for that are not registry names, and what signs those deliveries.
const SCHEME_ALIASES: Record<string, { name: SchemeName; why: string }> = {
  clerk: { name: 'svix', why: 'Clerk sends its webhooks through Svix' },
  resend: { name: 'svix', why: 'Resend sends its webhooks through Svix' },
}

/** The registry names, for messages and `--help`. */
export const schemeNames = Object.keys(schemes) as SchemeName[]

/**
 * Looks a scheme up by name (a scheme value is passed through), so options can say
 * `scheme: 'stripe'`. Throws `HOOKWRIGHT_UNKNOWN_SCHEME` listing the names it knows.
 *
 * @example
 * getScheme('github').sign({ payload, secret })
 */
export function getScheme<N extends SchemeName>(name: N): (typeof schemes)[N]
export function getScheme(name: string | AnyScheme): AnyScheme
export function getScheme(name: string | AnyScheme): AnyScheme {
  if (typeof name === 'object' && name !== null && typeof name.verify === 'function') return name
  if (typeof name === 'string' && Object.hasOwn(schemes, name)) {
    return schemes[name as SchemeName]
  }
  throw new HookwrightError(
    'HOOKWRIGHT_UNKNOWN_SCHEME',
    `Unknown scheme ${typeof name === 'string' ? JSON.stringify(name) : describeValue(name)}.${suggestScheme(name)} Known schemes: ${schemeNames.join(', ')}.`,
  )
}

function suggestScheme(name: unknown): string {
  if (typeof name !== 'string') return ''
  const key = name.toLowerCase()
  const alias = Object.hasOwn(SCHEME_ALIASES, key) ? SCHEME_ALIASES[key] : undefined
  if (alias) return ` Did you mean "${alias.name}" (${alias.why})?`
  return didYouMean(name, schemeNames)
}

/** A scheme with the secret(s) to verify with: the `verify` of an endpoint, `withValidSignature`… */
export interface SchemeConfig {
  scheme: SchemeInput
  secret?: string
  /** During a rotation: any one may match. */
  secrets?: readonly string[]
  /** Seconds; defaults to the scheme's own (the provider library's). */
  tolerance?: number
}

/**
 * Checks a scheme-and-secret config once, when it is given, so misuse throws at once naming
 * `option` (e.g. `verify`), rather than on the first delivery. Returns the scheme and the fixed
 * verify options to spread into each `verify` call.
 */
export function resolveSchemeConfig(
  config: SchemeConfig,
  option: string,
): { scheme: AnyScheme; options: Pick<SchemeConfig, 'secret' | 'secrets' | 'tolerance'> } {
  if (config === null || typeof config !== 'object') {
    invalidOption(option, 'an object { scheme, secret | secrets, tolerance? }', config)
  }
  const scheme = getScheme(config.scheme)
  const { secret, secrets, tolerance } = config
  if (secret === undefined && secrets === undefined) {
    throw new HookwrightError(
      'HOOKWRIGHT_MISSING_SECRET',
      `Invalid option \`${option}\`: pass \`secret\` or \`secrets\` for the ${scheme.name} scheme.`,
    )
  }
  if (secret !== undefined && typeof secret !== 'string') {
    invalidOption(`${option}.secret`, 'a string', secret, { secret: true })
  }
  if (secret !== undefined) refuseBlank(secret, 'secret', option)
  if (
    secrets !== undefined &&
    (!Array.isArray(secrets) || !secrets.every((s) => typeof s === 'string'))
  ) {
    invalidOption(`${option}.secrets`, 'a list of strings', secrets, { secret: true })
  }
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !(tolerance >= 0))) {
    invalidOption(`${option}.tolerance`, 'a number of seconds >= 0', tolerance)
  }
  const options: Pick<SchemeConfig, 'secret' | 'secrets' | 'tolerance'> = {}
  if (secret !== undefined) options.secret = secret
  if (secrets !== undefined) options.secrets = secrets
  if (tolerance !== undefined) options.tolerance = tolerance
  return { scheme, options }
}
