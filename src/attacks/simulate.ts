import { randomUUID } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { invalidOption } from '../errors.js'
import type { AnyScheme, Payload } from '../schemes/types.js'
import {
  checkHeaders,
  checkTimeout,
  defaultContentType,
  lowerCaseHeaders,
  type DeliverError,
} from '../sender/deliver.js'
import { checkPolicy, retryPolicies, type RetryPolicy } from '../sender/policies.js'
import { checkSendOptions, parseRetryAfter } from '../sender/send.js'
import { openTarget, type ReceiverTarget } from './target.js'

/** The retry policy a scheme's provider uses (`none` where there is none, as for GitHub). */
export function defaultPolicy(scheme: string): RetryPolicy {
  const policies = retryPolicies as Readonly<Record<string, RetryPolicy>>
  return Object.hasOwn(policies, scheme) ? policies[scheme]! : retryPolicies.none
}

/** What `simulateProvider` sends (scheme, secret, payload) and on which retry schedule. */
export interface SimulateProviderOptions {
  /** A registry name (`stripe`, `github`, …) or a scheme value. */
  scheme: string | AnyScheme
  /** The signing secret (for asymmetric schemes, the private key). */
  secret: string
  payload: Payload
  /** Default: the scheme's provider's policy (`retryPolicies.stripe` for `stripe`…). */
  retry?: RetryPolicy
  /** The message id, the same on every attempt. Default a fresh `msg_…`. */
  id?: string
  /** Extra headers on every attempt. */
  headers?: Record<string, string>
  /** Default POST. */
  method?: string
  /** Per attempt. Default 10000. */
  timeoutMs?: number
  /** With it, the report says how often the event was processed over all the attempts. */
  processedCount?: () => number | Promise<number>
  /** For an app or handler target: the route to call. Default `/`. */
  path?: string
  dispatcher?: Dispatcher
}

/** One attempt, as the provider would have made it. */
export interface SimulatedAttempt {
  /** 1 for the first. */
  attempt: number
  /** When the provider would have sent it: milliseconds after the first attempt (virtual). */
  atMs: number
  /** The virtual wait before it (0 for the first). */
  delayBeforeMs: number
  /** The timestamp signed into it (Unix seconds, real time: the receiver checks it). */
  signedAt: number
  status?: number
  error?: DeliverError
  /** Real time the answer took. */
  durationMs: number
}

/** What `simulateProvider` saw. */
export interface SimulationReport {
  /** A 2xx came before the policy gave up. */
  ok: boolean
  /** `delivered`, `gone` (410) or `exhausted`. */
  final: 'delivered' | 'gone' | 'exhausted'
  /** The policy whose schedule was followed. */
  policy: string
  id: string
  attempts: SimulatedAttempt[]
  /** With `processedCount`: how often the event was processed over all the attempts. */
  processed?: number
  /** Lines for people. */
  summary: string
}

const OPTION_KEYS = new Set([
  'scheme',
  'secret',
  'payload',
  'retry',
  'id',
  'headers',
  'method',
  'timeoutMs',
  'processedCount',
  'path',
  'dispatcher',
])

/**
 * Delivers one event the way its provider does: the same message id on every attempt, each
 * attempt signed afresh, the policy's schedule followed on a virtual clock (hours of retries
 * take no real time) until a 2xx, a 410, or the policy gives up. Returns every attempt, and
 * with `processedCount` how often the receiver processed the event (it must be once, however
 * many attempts failed first).
 *
 * @example
 * const sim = await simulateProvider(app.fetch, { scheme: 'stripe', secret, payload,
 *   retry: retryPolicies.stripe, processedCount: () => db.events.count() })
 * sim.attempts.map((a) => [a.atMs, a.status]) // [[0, 500], [300000, 500], [2100000, 200]]
 * sim.processed // 1
 */
export async function simulateProvider(
  target: ReceiverTarget,
  options: SimulateProviderOptions,
): Promise<SimulationReport> {
  const scheme = checkSendOptions('simulateProvider(target, options)', options, OPTION_KEYS)
  const policy = checkPolicy(options.retry ?? defaultPolicy(scheme.name))
  const timeoutMs = checkTimeout(options.timeoutMs ?? 10_000)
  const extraHeaders = checkHeaders(options.headers, 'headers')
  const method = options.method ?? 'POST'
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
    invalidOption('method', 'an HTTP method such as "POST"', method)
  }
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`
  // Stryker disable next-line ConditionalExpression,LogicalOperator: scheme.sign refuses the same ids with the same message; checked here before the target opens
  if (typeof id !== 'string' || id.length === 0) invalidOption('id', 'a non-empty string', id)
  const { processedCount } = options
  if (processedCount !== undefined && typeof processedCount !== 'function') {
    invalidOption('processedCount', 'a function () => number', processedCount)
  }

  const open = await openTarget(target, {
    path: options.path,
    dispatcher: options.dispatcher,
    option: 'simulateProvider(target)',
  })
  try {
    const before = processedCount ? await processedCount() : undefined
    const attempts: SimulatedAttempt[] = []
    // Real timestamps (the receiver checks them against its clock), one second apart and in
    // the past, so every attempt carries a new signature however fast the run goes.
    const total = policy.delays.length + 1
    let signedAt = 0
    let atMs = 0
    let delay = 0
    let final: SimulationReport['final'] = 'exhausted'
    for (let attempt = 1; attempt <= total; attempt++) {
      atMs += delay
      signedAt = Math.max(signedAt + 1, Math.floor(Date.now() / 1000) - total + attempt)
      const signed = scheme.sign({
        payload: options.payload,
        secret: options.secret,
        timestamp: signedAt,
        id,
        url: open.url,
      })
      const signedUrl = (signed as { url?: unknown }).url
      const outcome = await open.send({
        url: typeof signedUrl === 'string' ? signedUrl : open.url,
        method: method.toUpperCase(),
        headers: {
          'content-type': defaultContentType(signed.body),
          ...extraHeaders,
          ...lowerCaseHeaders(signed.headers),
          ...(attempt > 1 && policy.retryHeaders
            ? lowerCaseHeaders(
                policy.retryHeaders({
                  retry: attempt - 1,
                  // Stryker disable next-line OptionalChaining: attempt > 1, so there is a previous attempt
                  reason: attempts.at(-1)?.status !== undefined ? 'http_error' : 'http_timeout',
                  // Stryker disable next-line OptionalChaining: attempt > 1, so there is a previous attempt
                  ...(attempts.at(-1)?.status !== undefined
                    ? { previousStatus: attempts.at(-1)!.status! }
                    : {}),
                }),
              )
            : {}),
        },
        body: signed.body,
        timeoutMs,
      })
      const record: SimulatedAttempt = {
        attempt,
        atMs,
        // Stryker disable next-line ConditionalExpression,EqualityOperator: delay is still 0 on the first attempt
        delayBeforeMs: attempt > 1 ? delay : 0,
        signedAt,
        durationMs: outcome.durationMs,
      }
      if (outcome.status !== undefined) record.status = outcome.status
      if (outcome.error !== undefined) record.error = outcome.error
      attempts.push(record)
      const status = outcome.status
      const code = status ?? 0
      if (code >= 200 && code < 300) {
        final = 'delivered'
        break
      }
      if (status === 410) {
        final = 'gone'
        break
      }
      // Stryker disable next-line ConditionalExpression: past the last attempt the loop ends anyway; this only skips reading a delay no attempt uses
      if (attempt === total) break
      const retryAfter =
        status === 429 || status === 503
          ? parseRetryAfter(outcome.responseHeaders['retry-after'], Date.now())
          : undefined
      delay = retryAfter ?? policy.delays[attempt - 1]!
    }
    const report: SimulationReport = {
      ok: final === 'delivered',
      final,
      policy: policy.name,
      id,
      attempts,
      // Stryker disable next-line StringLiteral: replaced by the summary below
      summary: '',
    }
    if (before !== undefined) report.processed = (await processedCount!()) - before
    report.summary = summarize(report, open.url)
    return report
  } finally {
    await open.close()
  }
}

function summarize(r: SimulationReport, url: string): string {
  const lines = r.attempts.map(
    // Stryker disable next-line OptionalChaining: an attempt without a status always carries an error
    (a) => `  #${a.attempt} at +${formatMs(a.atMs)}: ${a.status ?? `no answer (${a.error?.code})`}`,
  )
  const processed =
    r.processed === undefined
      ? ''
      : r.processed === 1
        ? ', processed once'
        : `, processed ${r.processed} times`
  return [
    `simulateProvider ${url} (${r.policy} policy): ${r.final} after ${r.attempts.length} attempt(s)${processed}.`,
    ...lines,
  ].join('\n')
}

function formatMs(ms: number): string {
  if (ms === 0) return '0 s'
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return [h ? `${h} h` : '', m ? `${m} min` : '', s ? `${s} s` : ''].filter(Boolean).join(' ')
}
