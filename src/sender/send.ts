import { randomUUID } from 'node:crypto'
import { setImmediate, setTimeout } from 'node:timers'
import type { Dispatcher } from 'undici'
import { HookwrightError, invalidOption } from '../errors.js'
import { getScheme, type SchemeInput } from '../schemes/registry.js'
import type { AnyScheme, Payload } from '../schemes/types.js'
import {
  checkHeaders,
  checkTimeout,
  checkUrl,
  defaultContentType,
  deliver,
  lowerCaseHeaders,
  type DeliverError,
} from './deliver.js'
import { checkPolicy, retryPolicies, type RetryPolicy, type RetryReason } from './policies.js'

/**
 * Where the sender gets the time and how it waits. The default is the real clock and real
 * timers; `virtualClock()` runs a schedule of hours in milliseconds.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number
  sleep(ms: number): Promise<void>
}

/** A clock whose `sleep` returns at once and moves `now` on, recording every wait. */
export interface VirtualClock extends Clock {
  /** Every `sleep` asked for, in order. */
  readonly slept: readonly number[]
}

/**
 * A clock for tests: `sleep(ms)` resolves on the next tick and advances `now()` by `ms`, so
 * `retryPolicies.stripe` (three days) runs in milliseconds while signatures still carry the
 * times a real sender would have used.
 *
 * @example
 * const clock = virtualClock()
 * await sendWebhook(ep.url, { scheme: 'stripe', secret, payload, retry: retryPolicies.stripe, clock })
 * clock.slept // [300000, 1800000, …]
 */
export function virtualClock(start: number = Date.now()): VirtualClock {
  let now = start
  const slept: number[] = []
  return {
    now: () => now,
    slept,
    sleep(ms) {
      slept.push(ms)
      now += ms
      return new Promise((resolve) => setImmediate(resolve))
    },
  }
}

const realClock: Clock = {
  now: () => Date.now(),
  // node:timers: fake timers installed by a test must not freeze a real schedule.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export interface SendWebhookOptions {
  /** A registry name (`stripe`, `standardWebhooks`, …) or a scheme value. */
  scheme: SchemeInput
  /** The signing secret (for asymmetric schemes, the private key). */
  secret: string
  payload: Payload
  /** Default `retryPolicies.none`: one attempt. */
  retry?: RetryPolicy
  /** Per attempt, connection to end of the answer. Default 15000 (Svix's). */
  timeoutMs?: number
  /** Extra request headers; the scheme's own headers win over these. */
  headers?: Record<string, string>
  /** Default POST. */
  method?: string
  /** The message id, the same on every attempt (Standard Webhooks' `webhook-id`). Default: a fresh `msg_…`. */
  id?: string
  /** Time and waiting; default the real clock. See `virtualClock()`. */
  clock?: Clock
  /** Just the waiting part of `clock` (the time stays real). */
  sleep?: (ms: number) => Promise<void>
  /** A number in [0, 1) for jitter; default Math.random. */
  random?: () => number
  /** An undici Dispatcher (an Agent with TLS options, a ProxyAgent…); default the global one. */
  dispatcher?: Dispatcher
}

/** One attempt of a delivery, as plain data. */
export interface SendAttempt {
  /** 1 for the first. */
  attempt: number
  /** The HTTP status, when an answer came. */
  status?: number
  /** Why no answer came: `{ code: 'timeout' }`, `{ code: 'ECONNREFUSED' }`… */
  error?: DeliverError
  /** Epoch milliseconds by the sender's clock. */
  startedAt: number
  /** Real time the request took. */
  durationMs: number
  /** The request headers sent (lower-case names), signature included. */
  headers: Record<string, string>
  /** What the sender waited before this attempt (0 for the first). */
  delayBeforeMs: number
  /** The answer's headers (lower-case names). */
  responseHeaders: Record<string, string | string[]>
  /** The start of the answer's body as text (up to 4 KiB): a refusal's reason, for messages. */
  responseText?: string
}

/** How a delivery ended: a 2xx, a 410 Gone, or the schedule ran out. */
export type SendOutcome = 'delivered' | 'gone' | 'exhausted'

export interface SendResult {
  /** True when an attempt got a 2xx. */
  ok: boolean
  attempts: SendAttempt[]
  final: SendOutcome
}

const OPTION_KEYS = new Set([
  'scheme',
  'secret',
  'payload',
  'retry',
  'timeoutMs',
  'headers',
  'method',
  'id',
  'clock',
  'sleep',
  'random',
  'dispatcher',
])

/**
 * Signs and delivers a webhook the way a provider does: each attempt signed afresh (a new
 * timestamp, the same message id), any non-2xx (3xx included, never followed) a failure,
 * `Retry-After` obeyed on 429 and 503, a 410 Gone the end, timeouts and connection errors
 * retried. Returns every attempt; failure is a result, not an exception.
 *
 * @example
 * const result = await sendWebhook(ep.url, {
 *   scheme: 'standardWebhooks', secret, payload: { type: 'user.created' },
 *   retry: retryPolicies.standardWebhooks, clock: virtualClock(),
 * })
 * result.ok; result.attempts.map((a) => a.status) // [500, 503, 200]
 */
export async function sendWebhook(url: string, options: SendWebhookOptions): Promise<SendResult> {
  const target = checkUrl(url, 'sendWebhook(url)')
  const scheme = checkSendOptions('sendWebhook(url, options)', options, OPTION_KEYS)
  const policy = checkPolicy(options.retry ?? retryPolicies.none)
  const timeoutMs = checkTimeout(options.timeoutMs ?? 15_000)
  const extraHeaders = checkHeaders(options.headers, 'headers')
  const method = options.method ?? 'POST'
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
    invalidOption('method', 'an HTTP method such as "POST"', method)
  }
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`
  if (typeof id !== 'string' || id.length === 0) invalidOption('id', 'a non-empty string', id)
  const clock = checkClock(options.clock, options.sleep)
  const random = options.random ?? Math.random
  if (typeof random !== 'function') invalidOption('random', 'a function returning [0, 1)', random)

  const attempts: SendAttempt[] = []
  let delay = 0
  let reason: RetryReason = 'http_error'
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await clock.sleep(delay)
    const startedAt = clock.now()
    // Signed afresh each time: a retry hours later must carry a timestamp the receiver accepts.
    const signed = scheme.sign({
      payload: options.payload,
      secret: options.secret,
      timestamp: Math.floor(startedAt / 1000),
      id,
      url: target,
    })
    const previous = attempts[attempts.length - 1]
    const headers: Record<string, string> = {
      'content-type': defaultContentType(signed.body),
      ...extraHeaders,
      ...lowerCaseHeaders(signed.headers),
      ...(previous && policy.retryHeaders
        ? lowerCaseHeaders(
            policy.retryHeaders({
              retry: attempt - 1,
              reason,
              ...(previous.status !== undefined ? { previousStatus: previous.status } : {}),
            }),
          )
        : {}),
    }
    // URL-signing schemes may sign a changed URL (Twilio adds bodySHA256): send it there.
    const signedUrl = (signed as { url?: unknown }).url
    const outcome = await deliver(typeof signedUrl === 'string' ? signedUrl : target, {
      method: method.toUpperCase(),
      headers,
      body: signed.body,
      timeoutMs,
      dispatcher: options.dispatcher,
    })
    const record: SendAttempt = {
      attempt,
      startedAt,
      durationMs: outcome.durationMs,
      headers,
      delayBeforeMs: attempt > 1 ? delay : 0,
      responseHeaders: outcome.responseHeaders,
    }
    if (outcome.status !== undefined) record.status = outcome.status
    if (outcome.error !== undefined) record.error = outcome.error
    if (outcome.responseText !== undefined) record.responseText = outcome.responseText
    attempts.push(record)

    const status = outcome.status
    if (status !== undefined && status >= 200 && status < 300) {
      return { ok: true, attempts, final: 'delivered' }
    }
    if (status === 410) return { ok: false, attempts, final: 'gone' }
    if (attempt > policy.delays.length) return { ok: false, attempts, final: 'exhausted' }

    reason =
      status !== undefined
        ? 'http_error'
        : outcome.error?.code === 'timeout'
          ? 'http_timeout'
          : 'connection_failed'
    const retryAfter =
      status === 429 || status === 503
        ? parseRetryAfter(outcome.responseHeaders['retry-after'], clock.now())
        : undefined
    delay = retryAfter ?? withJitter(policy.delays[attempt - 1]!, policy.jitter ?? 0, random)
  }
}

/** A delay moved by up to ±jitter of itself. */
function withJitter(delay: number, jitter: number, random: () => number): number {
  if (jitter === 0) return delay
  return Math.max(0, Math.round(delay * (1 + jitter * (2 * random() - 1))))
}

/**
 * `Retry-After` as milliseconds from `now`: whole seconds, or an HTTP date (a past date is 0).
 * Anything else is ignored, and the schedule's own delay applies.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number,
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined) return undefined
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

function checkClock(clock: Clock | undefined, sleep: SendWebhookOptions['sleep']): Clock {
  if (clock !== undefined) {
    if (
      clock === null ||
      typeof clock !== 'object' ||
      typeof clock.now !== 'function' ||
      typeof clock.sleep !== 'function'
    ) {
      invalidOption('clock', 'an object { now(): number, sleep(ms): Promise<void> }', clock)
    }
    if (sleep !== undefined) invalidOption('sleep', 'either `clock` or `sleep`, not both', 'both')
    return clock
  }
  if (sleep !== undefined) {
    if (typeof sleep !== 'function') invalidOption('sleep', 'a function (ms) => Promise', sleep)
    return { now: realClock.now, sleep }
  }
  return realClock
}

/**
 * The checks `sendWebhook` and `simulateProvider` share: an options object with known keys, a
 * scheme, a non-empty secret and a payload. Returns the scheme.
 */
export function checkSendOptions(
  call: string,
  options: { scheme?: unknown; secret?: unknown; payload?: unknown } | null,
  keys: ReadonlySet<string>,
): AnyScheme {
  const where = call.slice(0, call.indexOf('('))
  if (options === null || typeof options !== 'object') {
    invalidOption(call, 'an object { scheme, secret, payload, … }', options)
  }
  for (const key of Object.keys(options)) {
    if (!keys.has(key)) invalidOption(`${where}({ ${key} })`, `one of ${[...keys].join(', ')}`, key)
  }
  if (options.scheme === undefined) {
    invalidOption('scheme', 'a scheme name such as "stripe" or a scheme value', options.scheme)
  }
  const scheme = getScheme(options.scheme as Parameters<typeof getScheme>[0])
  if (typeof options.secret !== 'string' || options.secret.length === 0) {
    throw new HookwrightError(
      'HOOKWRIGHT_MISSING_SECRET',
      `${where}: \`secret\` must be a non-empty string` +
        (options.secret === undefined ? ' (none was given).' : '.'),
    )
  }
  if (options.payload === undefined || options.payload === null) {
    invalidOption('payload', 'an object, a string or a Uint8Array', options.payload)
  }
  return scheme
}
