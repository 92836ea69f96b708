import type { Dispatcher } from 'undici'
import { invalidOption } from '../errors.js'
import { getScheme, type SchemeInput } from '../schemes/registry.js'
import type { Payload } from '../schemes/types.js'
import {
  checkHeaders,
  checkTimeout,
  checkUrl,
  deliver,
  type DeliverError,
} from '../sender/deliver.js'
import { badDeliveries, type BadDelivery } from './cases.js'

export interface CheckReceiverOptions {
  /** A registry name (`stripe`, `github`, …) or a scheme value. */
  scheme: SchemeInput
  /** The signing secret the receiver is configured with (for asymmetric schemes, the private key). */
  secret: string
  payload: Payload
  /** The receiver's tolerance in seconds, when it is not the scheme's default. */
  tolerance?: number
  /** Extra headers on every request (an `x-github-event`, a content type…). */
  headers?: Record<string, string>
  /** Default POST. */
  method?: string
  /** Per request. Default 10000. */
  timeoutMs?: number
  /**
   * How many deliveries the receiver has processed so far. With it, a replay answered 2xx
   * passes when the count shows it was ignored; without it, a replay must be answered non-2xx.
   */
  processedCount?: () => number | Promise<number>
  dispatcher?: Dispatcher
}

/** How one case went. */
export interface CaseResult {
  name: string
  description: string
  expect: 'accept' | 'reject'
  /** The status the receiver answered (the second answer, for the replay case). */
  status?: number
  /** Set when no answer came (timeout, connection refused). */
  error?: DeliverError
  /** `ok`, `wrongly-accepted` (2xx where reject was expected), `wrongly-rejected`, or `no-answer`. */
  verdict: 'ok' | 'wrongly-accepted' | 'wrongly-rejected' | 'no-answer'
  /** Why the verdict, where the status alone does not say. */
  note?: string
}

/** What `checkReceiver` found. Plain data, and a `summary` to print. */
export interface ReceiverReport {
  /** True when every case was answered as expected. */
  ok: boolean
  url: string
  scheme: string
  results: CaseResult[]
  wronglyAccepted: CaseResult[]
  wronglyRejected: CaseResult[]
  noAnswer: CaseResult[]
  /** Lines for people: each wrong answer with its case, status and what the case tests. */
  summary: string
}

const OPTION_KEYS = new Set([
  'scheme',
  'secret',
  'payload',
  'tolerance',
  'headers',
  'method',
  'timeoutMs',
  'processedCount',
  'dispatcher',
])

/**
 * Sends every case of `badDeliveries` (a valid one first) to a running receiver over real HTTP,
 * one after another, and reports which were answered wrongly: 2xx where a reject was expected,
 * or non-2xx where an accept was. The replay case is sent twice; see `processedCount`.
 *
 * @example
 * const report = await checkReceiver('http://127.0.0.1:3000/webhooks/github', { scheme: 'github', secret, payload })
 * expect(report.wronglyAccepted.map((r) => r.name)).toEqual([])
 * console.log(report.summary)
 */
export async function checkReceiver(
  url: string,
  options: CheckReceiverOptions,
): Promise<ReceiverReport> {
  const target = checkUrl(url, 'checkReceiver(url)')
  if (options === null || typeof options !== 'object') {
    invalidOption(
      'checkReceiver(url, options)',
      'an object { scheme, secret, payload, … }',
      options,
    )
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      invalidOption(`checkReceiver({ ${key} })`, `one of ${[...OPTION_KEYS].join(', ')}`, key)
    }
  }
  const scheme = getScheme(options.scheme)
  const extraHeaders = checkHeaders(options.headers, 'headers')
  const timeoutMs = checkTimeout(options.timeoutMs ?? 10_000)
  const method = options.method ?? 'POST'
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
    invalidOption('method', 'an HTTP method such as "POST"', method)
  }
  const { processedCount } = options
  if (processedCount !== undefined && typeof processedCount !== 'function') {
    invalidOption('processedCount', 'a function () => number', processedCount)
  }
  const cases = badDeliveries(scheme, {
    payload: options.payload,
    secret: options.secret,
    url: target,
    ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
  })

  const send = (c: BadDelivery) =>
    deliver(c.url ?? target, {
      method: method.toUpperCase(),
      headers: { ...extraHeaders, ...c.headers },
      body: c.body,
      timeoutMs,
      dispatcher: options.dispatcher,
    })

  const results: CaseResult[] = []
  for (const c of cases) {
    const base = { name: c.name, description: c.description, expect: c.expect }
    if (c.sendTwice) {
      const before = processedCount ? await processedCount() : undefined
      const first = await send(c)
      if (first.status === undefined || !is2xx(first.status)) {
        results.push({
          ...base,
          ...outcomeFields(first),
          verdict: first.status === undefined ? 'no-answer' : 'wrongly-rejected',
          note: 'The first, valid, delivery was not accepted, so the replay could not be judged.',
        })
        continue
      }
      const second = await send(c)
      const result: CaseResult = { ...base, ...outcomeFields(second), verdict: 'ok' }
      if (second.status === undefined) {
        result.verdict = 'no-answer'
      } else if (is2xx(second.status)) {
        if (processedCount && before !== undefined) {
          const processed = (await processedCount()) - before
          if (processed !== 1) {
            result.verdict = 'wrongly-accepted'
            result.note = `The replay was processed: ${processed} deliveries were processed for 2 sends.`
          } else {
            result.note = 'Answered 2xx and ignored as a duplicate.'
          }
        } else {
          result.verdict = 'wrongly-accepted'
          result.note =
            'The replay was answered 2xx. If the receiver ignores duplicates and answers 2xx on ' +
            'purpose, pass `processedCount` so checkReceiver can tell.'
        }
      }
      results.push(result)
      continue
    }
    const outcome = await send(c)
    const result: CaseResult = { ...base, ...outcomeFields(outcome), verdict: 'ok' }
    if (outcome.status === undefined) {
      result.verdict = 'no-answer'
    } else if (is2xx(outcome.status) !== (c.expect === 'accept')) {
      result.verdict = c.expect === 'accept' ? 'wrongly-rejected' : 'wrongly-accepted'
    } else if (outcome.status >= 500) {
      result.note = 'Rejected with a 5xx: a real sender treats that as an outage and retries it.'
    }
    results.push(result)
  }

  const wronglyAccepted = results.filter((r) => r.verdict === 'wrongly-accepted')
  const wronglyRejected = results.filter((r) => r.verdict === 'wrongly-rejected')
  const noAnswer = results.filter((r) => r.verdict === 'no-answer')
  return {
    ok: wronglyAccepted.length + wronglyRejected.length + noAnswer.length === 0,
    url: target,
    scheme: scheme.name,
    results,
    wronglyAccepted,
    wronglyRejected,
    noAnswer,
    summary: summarize(target, scheme.name, results),
  }
}

function is2xx(status: number): boolean {
  return status >= 200 && status < 300
}

function outcomeFields(outcome: { status?: number; error?: DeliverError }): {
  status?: number
  error?: DeliverError
} {
  return outcome.status !== undefined ? { status: outcome.status } : { error: outcome.error! }
}

function summarize(url: string, scheme: string, results: readonly CaseResult[]): string {
  const wrong = results.filter((r) => r.verdict !== 'ok')
  const head =
    wrong.length === 0
      ? `checkReceiver ${url} (${scheme}): all ${results.length} cases answered as expected.`
      : `checkReceiver ${url} (${scheme}): ${wrong.length} of ${results.length} cases answered wrongly.`
  const seen = (r: CaseResult) =>
    r.status !== undefined ? String(r.status) : `no answer (${r.error?.code})`
  const lines = wrong.map(
    (r) =>
      `  ✗ ${r.name}: ${r.verdict.replace('-', ' ')} (expected ${r.expect}, got ${seen(r)}). ` +
      `${r.description}${r.note ? ` ${r.note}` : ''}`,
  )
  const passed = results.filter((r) => r.verdict === 'ok')
  if (passed.length > 0) {
    lines.push(`  ✓ ${passed.map((r) => `${r.name} ${seen(r)}`).join(', ')}`)
  }
  return [head, ...lines].join('\n')
}
