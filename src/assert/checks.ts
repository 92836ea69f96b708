import type { Delivery } from '../delivery.js'
import { invalidOption } from '../errors.js'
import { resolveSchemeConfig, schemes } from '../schemes/registry.js'
import type { SchemeConfig } from '../schemes/registry.js'
import type { AnyScheme } from '../schemes/types.js'
import { diffPartial, formatValue } from './partial.js'

/** A test one delivery passes or misses; `misses` explains each miss in a line (empty = passes). */
export interface DeliveryCheck {
  readonly description: string
  misses(delivery: Delivery): string[]
}

/** A test over all matched deliveries together (retry delays, one header value across attempts). */
export interface GroupCheck {
  readonly description: string
  misses(deliveries: readonly Delivery[]): string[]
}

/** The marker `sameForEveryAttempt` is; see there. */
export interface AcrossAttempts {
  readonly across: 'same'
  readonly description: string
}

/**
 * For `withHeader(name, sameForEveryAttempt)`: the header is present and has one value across
 * every matched delivery, as an idempotency key (`webhook-id`, `X-GitHub-Delivery`) must be
 * when a sender retries.
 *
 * @example
 * await expectWebhook(ep).toArrive({ times: 3 }).withHeader('webhook-id', sameForEveryAttempt)
 */
export const sameForEveryAttempt: AcrossAttempts = Object.freeze({
  across: 'same',
  description: 'the same value on every attempt',
})

/**
 * What a header must be: an exact string, a RegExp, a predicate on the value (undefined when
 * absent), or `sameForEveryAttempt`.
 */
export type HeaderExpectation =
  string | RegExp | ((value: string | undefined, delivery: Delivery) => boolean) | AcrossAttempts

/** A signature check: a scheme by registry name (or value) and the secret or secrets to verify with. */
export type SignatureExpectation = SchemeConfig

/** How far apart consecutive deliveries may be from the expected gaps. */
export interface RetryDelayOptions {
  /** Milliseconds either side of each expected gap. Default 250. */
  tolerance?: number
}

// Values of these headers are hidden in messages: they carry signatures, tokens or the secret itself.
const SENSITIVE = /authorization|cookie|token|secret|signature|password|api-?key|hmac/i

/** True for headers whose values messages must not print. */
export function isSensitiveHeader(name: string): boolean {
  // Stryker disable next-line MethodExpression: SENSITIVE is case-insensitive, and the line below only adds names it already matches
  const lower = name.toLowerCase()
  if (SENSITIVE.test(lower)) return true
  // Stryker disable next-line MethodExpression,ArrowFunction,ConditionalExpression: every registered scheme's signature header matches SENSITIVE today; this keeps a future one hidden
  return Object.values(schemes).some((scheme: AnyScheme) => scheme.headers[0] === lower)
}

/** A header value as messages may show it. */
export function showHeader(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing (absent)'
  return isSensitiveHeader(name) ? `(hidden, ${value.length} chars)` : formatValue(value, 60)
}

export function methodCheck(method: string): DeliveryCheck {
  if (typeof method !== 'string' || method === '') {
    invalidOption('method', 'an HTTP method such as "POST"', method)
  }
  const wanted = method.toUpperCase()
  return {
    description: `method ${wanted}`,
    misses: (d) =>
      d.method.toUpperCase() === wanted ? [] : [`method: expected ${wanted}, got ${d.method}`],
  }
}

export function pathCheck(path: string | RegExp): DeliveryCheck {
  if (typeof path !== 'string' && !(path instanceof RegExp)) {
    invalidOption('path', 'a string or a RegExp', path)
  }
  const test = (p: string) => (typeof path === 'string' ? p === path : retest(path, p))
  return {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: a template prints a string as itself and a RegExp as String(it) either way
    description: `path ${typeof path === 'string' ? path : String(path)}`,
    misses: (d) =>
      test(d.path) ? [] : [`path: expected ${formatValue(path)}, got ${formatValue(d.path)}`],
  }
}

export function jsonCheck(partial: unknown): DeliveryCheck {
  return {
    description: `JSON matching ${formatValue(partial, 200)}`,
    misses(d) {
      // A body that does not decode (a bomb past the limit, a broken gzip) is named as such.
      try {
        d.text()
      } catch (error) {
        return [`json: the body cannot be read: ${(error as Error).message}`]
      }
      let body: unknown
      try {
        body = d.json()
      } catch {
        return ['json: the body is not JSON']
      }
      return diffPartial(body, partial).map((difference) => difference.message)
    },
  }
}

/**
 * One header's check, split in two: each delivery on its own, and (for `sameForEveryAttempt`)
 * all matched deliveries together.
 */
export function headerCheck(
  name: string,
  expected?: HeaderExpectation,
): { each: DeliveryCheck; group?: GroupCheck } {
  if (typeof name !== 'string' || name === '') {
    invalidOption('withHeader(name)', 'a header name such as "webhook-id"', name)
  }
  const key = name.toLowerCase()
  if (expected === undefined || isAcross(expected)) {
    const each: DeliveryCheck = {
      description: `header ${key}`,
      misses: (d) => (d.header(key) === undefined ? [`header ${key}: missing`] : []),
    }
    if (expected === undefined) return { each }
    return {
      each,
      group: {
        description: `header ${key}: ${expected.description}`,
        misses(ds) {
          const values = new Map<string, number[]>()
          for (const d of ds) {
            const value = d.header(key) ?? ''
            values.set(value, [...(values.get(value) ?? []), d.attempt])
          }
          if (values.size <= 1) return []
          const seen = [...values].map(
            ([value, attempts]) => `${showHeader(key, value)} on #${attempts.join(', #')}`,
          )
          return [
            `header ${key}: expected one value on every attempt, got ${values.size} (${seen.join('; ')})`,
          ]
        },
      },
    }
  }
  if (
    typeof expected !== 'string' &&
    !(expected instanceof RegExp) &&
    typeof expected !== 'function'
  ) {
    invalidOption(
      `withHeader(${JSON.stringify(name)}, value)`,
      'a string, a RegExp, a predicate or sameForEveryAttempt',
      expected,
    )
  }
  const shownExpected =
    typeof expected === 'string'
      ? showHeader(key, expected)
      : typeof expected === 'function'
        ? `to satisfy ${formatValue(expected)}`
        : `to match ${String(expected)}`
  const test = (value: string | undefined, d: Delivery): boolean => {
    if (typeof expected === 'string') return value === expected
    if (expected instanceof RegExp) return value !== undefined && retest(expected, value)
    try {
      return expected(value, d) === true
      // Stryker disable next-line BlockStatement: an empty catch returns undefined, which fails the check as `false` does
    } catch {
      return false
    }
  }
  return {
    each: {
      description: `header ${key} ${typeof expected === 'string' ? `= ${shownExpected}` : shownExpected}`,
      misses(d) {
        const value = d.header(key)
        if (test(value, d)) return []
        return [`header ${key}: expected ${shownExpected}, got ${showHeader(key, value)}`]
      },
    },
  }
}

function isAcross(value: unknown): value is AcrossAttempts {
  return typeof value === 'object' && value !== null && (value as AcrossAttempts).across === 'same'
}

/**
 * A signature check. The scheme and secret are checked now (misuse throws at once), and each
 * delivery is verified as of the moment it arrived, so fake timers and slow tests do not turn a
 * fresh signature stale. `origin` completes the URL for schemes that sign it (Twilio).
 */
export function signatureCheck(
  expectation: SignatureExpectation,
  origin?: string,
): DeliveryCheck & { scheme: AnyScheme } {
  const { scheme, options } = resolveSchemeConfig(expectation, 'withValidSignature')
  return {
    scheme,
    description: `a valid ${scheme.name} signature`,
    misses(d) {
      const result = verifyDelivery(d, scheme, options, origin)
      return result.ok ? [] : [`signature (${scheme.name}): ${result.reason}: ${result.message}`]
    },
  }
}

/** Verifies a recorded delivery with a scheme, as of its arrival time. */
export function verifyDelivery(
  d: Delivery,
  scheme: AnyScheme,
  { secret, secrets, tolerance }: Omit<SignatureExpectation, 'scheme'>,
  origin?: string,
) {
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(d.query)) {
    for (const value of Array.isArray(v) ? v : [v]) query.append(k, value)
  }
  return scheme.verify({
    headers: d.headers,
    body: d.rawBody,
    ...(secrets !== undefined ? { secrets } : { secret }),
    // Stryker disable next-line ConditionalExpression: `tolerance: undefined` means the scheme's default, as leaving it out does
    ...(tolerance !== undefined ? { tolerance } : {}),
    now: Math.floor(d.receivedAt / 1000),
    ...(origin ? { url: `${origin}${d.path}${query.size > 0 ? `?${query}` : ''}` } : {}),
  })
}

/** Gaps between the `receivedAt` of consecutive matched deliveries, each within `tolerance`. */
export function retryDelaysCheck(
  delays: readonly number[],
  { tolerance = 250 }: RetryDelayOptions = {},
): GroupCheck {
  if (
    !Array.isArray(delays) ||
    delays.length === 0 ||
    // Stryker disable next-line ConditionalExpression: `typeof n === 'number'` narrows the type; Number.isFinite already refuses every non-number
    !delays.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)
  ) {
    invalidOption('withRetryDelays(delays)', 'a non-empty array of milliseconds >= 0', delays)
  }
  // Stryker disable next-line ConditionalExpression: `typeof tolerance !== 'number'` narrows the type; Number.isFinite already refuses every non-number
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    invalidOption('withRetryDelays tolerance', 'milliseconds >= 0', tolerance)
  }
  return {
    description: `retry delays [${delays.join(', ')}] ms (± ${tolerance} ms)`,
    misses(ds) {
      if (ds.length < delays.length + 1) {
        return [
          `retry delays: expected ${delays.length + 1} deliveries to measure ${delays.length} gaps, got ${ds.length}`,
        ]
      }
      const gaps = delays.map((_, i) => ds[i + 1]!.receivedAt - ds[i]!.receivedAt)
      const wrong = delays.flatMap((expected, i) => {
        const gap = gaps[i]!
        if (Math.abs(gap - expected) <= tolerance) return []
        return [
          `gap ${i + 1} (#${ds[i]!.attempt} → #${ds[i + 1]!.attempt}) was ${gap} ms, expected ${expected} ± ${tolerance}`,
        ]
      })
      if (wrong.length === 0) return []
      return [
        `retry delays: expected [${delays.join(', ')}] ms, got [${gaps.join(', ')}] ms`,
        ...wrong.map((line) => `  ${line}`),
      ]
    },
  }
}

/** The deliveries that pass every check, and for the others, why. */
export function sortDeliveries(
  deliveries: readonly Delivery[],
  checks: readonly DeliveryCheck[],
): { matched: Delivery[]; misses: Map<Delivery, string[]> } {
  const matched: Delivery[] = []
  const misses = new Map<Delivery, string[]>()
  for (const d of deliveries) {
    const lines = checks.flatMap((check) => check.misses(d))
    if (lines.length === 0) matched.push(d)
    else misses.set(d, lines)
  }
  return { matched, misses }
}

/** A `waitFor` match function: true when every check passes; never throws. */
export function matchAll(checks: readonly DeliveryCheck[]): (d: Delivery) => boolean {
  return (d) => {
    try {
      return checks.every((check) => check.misses(d).length === 0)
    } catch {
      return false
    }
  }
}

function retest(re: RegExp, text: string): boolean {
  re.lastIndex = 0
  return re.test(text)
}
