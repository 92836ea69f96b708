import { invalidOption } from '../errors.js'
import { fixture } from '../fixtures/fixture.js'
import type { Payload } from '../schemes/types.js'

/** Two related events, the older first: what `out-of-order` sends newest first. */
export interface EventPair {
  older: Payload
  newer: Payload
}

/** The fixture pairs used when no `pair` is given, per scheme. */
export const defaultPairs: Readonly<Record<string, readonly [string, string]>> = Object.freeze({
  stripe: ['stripe/customer.created', 'stripe/customer.updated'],
  standardWebhooks: ['standard-webhooks/contact.created', 'standard-webhooks/contact.updated'],
})

/**
 * The pair to send: the user's, two fixture names, or the scheme's default fixture pair
 * (undefined when there is none). Fixture pairs are made to describe one object: the newer
 * event gets the older one's object id, and a timestamp a minute later.
 */
export function resolvePair(
  pair: EventPair | readonly [string, string] | undefined,
  scheme: string,
): EventPair | undefined {
  if (pair === undefined) {
    const names = defaultPairs[scheme]
    return names ? fixturePair(names) : undefined
  }
  if (Array.isArray(pair)) {
    if (pair.length !== 2 || !pair.every((n) => typeof n === 'string')) {
      invalidOption(
        'pair',
        "two fixture names ['stripe/customer.created', 'stripe/customer.updated']",
        pair,
      )
    }
    return fixturePair(pair as readonly [string, string])
  }
  const p = pair as EventPair
  if (p === null || typeof p !== 'object' || p.older == null || p.newer == null) {
    invalidOption('pair', '{ older, newer } payloads, or two fixture names', pair)
  }
  return { older: p.older, newer: p.newer }
}

function fixturePair([olderName, newerName]: readonly [string, string]): EventPair {
  const now = Math.floor(Date.now() / 1000)
  const load = fixture as (name: string, overrides: undefined, o: { timestamp: number }) => Payload
  const older = load(olderName, undefined, { timestamp: now - 60 })
  const fresh = load(newerName, undefined, { timestamp: now })
  const id = objectOf(older)?.id
  const target = objectOf(fresh)
  if (target && id !== undefined) target.id = id
  return { older, newer: fresh }
}

/** The object an event describes: Stripe's `data.object`, Standard Webhooks' `data`, or itself. */
export function objectOf(payload: unknown): Record<string, unknown> | undefined {
  if (payload === null || typeof payload !== 'object' || payload instanceof Uint8Array) {
    return undefined
  }
  const p = payload as Record<string, unknown>
  const data = p.data as Record<string, unknown> | undefined
  if (data !== null && typeof data === 'object') {
    const object = data.object
    if (object !== null && typeof object === 'object' && !Array.isArray(object)) {
      return object as Record<string, unknown>
    }
    return data
  }
  return p
}

/**
 * What the receiver's record must hold after both events: the newer event's value of every
 * field that differs between the two.
 */
export function expectedState(pair: EventPair): Record<string, unknown> {
  const older = objectOf(pair.older) ?? {}
  const newer = objectOf(pair.newer) ?? {}
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(newer)) {
    if (JSON.stringify(value) !== JSON.stringify(older[key])) out[key] = value
  }
  return out
}
