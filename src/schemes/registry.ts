import { HookwrightError } from '../errors.js'
import { github } from './github.js'
import { shopify } from './shopify.js'
import { slack } from './slack.js'
import { standardWebhooks } from './standard-webhooks.js'
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
    `Unknown scheme ${JSON.stringify(name)}. Known schemes: ${schemeNames.join(', ')}.`,
  )
}
