import { randomUUID } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { invalidOption } from '../errors.js'
import { getScheme, type SchemeInput } from '../schemes/registry.js'
import type { Payload } from '../schemes/types.js'
import {
  checkHeaders,
  checkTimeout,
  defaultContentType,
  lowerCaseHeaders,
  type DeliverError,
  type DeliverOutcome,
} from '../sender/deliver.js'
import { checkPolicy, type RetryPolicy } from '../sender/policies.js'
import { badDeliveries, uniquePayload, type BadDelivery, type CaseGroup } from './cases.js'
import { limitsFor } from './limits.js'
import { expectedState, objectOf, resolvePair, type EventPair } from './pair.js'
import { defaultPolicy } from './simulate.js'
import { openTarget, type OpenTarget, type ReceiverTarget } from './target.js'

export type { CaseGroup } from './cases.js'

/**
 * What `checkReceiver` needs: the scheme, secret and payload to sign, and, optionally, ways to
 * look inside the receiver (`processedCount`, `stateOf`) and to tune or select the cases.
 */
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
   * How many deliveries the receiver has processed (or queued for processing) so far. With
   * it, a duplicate answered 2xx passes when the count shows it was ignored; without it, a
   * duplicate must be answered non-2xx.
   */
  processedCount?: () => number | Promise<number>
  dispatcher?: Dispatcher
  /** For an app or handler target: the route to call. Default `/`. */
  path?: string
  /** Run only these cases or groups (`signature`, `idempotency`, `timing`, `robustness`). */
  only?: readonly string[]
  /** Leave out these cases or groups. */
  skip?: readonly string[]
  /** `concurrent-duplicates`: how many copies at once. Default 5. */
  concurrency?: number
  /** `answer-time`: how many valid deliveries at once. Default 20. */
  burst?: number
  /**
   * `answer-time`: the slowest answer allowed, in milliseconds. Default the provider's
   * documented timeout (`providerLimits`: GitHub 10 s, Shopify 5 s, Slack 3 s, …).
   */
  answerTimeLimitMs?: number
  /** `oversized-body`: the biggest body the receiver must take. Default the provider's. */
  maxBodyBytes?: number
  /**
   * `out-of-order`: two related events (`{ older, newer }` payloads, or two fixture names).
   * Default a fixture pair for the scheme (Stripe `customer.created` + `customer.updated`).
   */
  pair?: EventPair | readonly [string, string]
  /**
   * `out-of-order`: the receiver's record of the object both events describe (called with
   * its id). It must hold the newer event's values.
   */
  stateOf?: (id: string | undefined) => unknown
  /** `out-of-order`: the provider's retry policy, to judge a failure a retry would resolve. */
  retry?: RetryPolicy
}

/** How a case went: `ok`, or how it went wrong. */
export type Verdict =
  'ok' | 'wrongly-accepted' | 'wrongly-rejected' | 'no-answer' | 'too-slow' | 'wrong-state'

/** How one case went. */
export interface CaseResult {
  name: string
  group: CaseGroup
  description: string
  expect: 'accept' | 'reject'
  /** The status the receiver answered (the one the verdict is about). */
  status?: number
  /** Set when no answer came (timeout, connection refused). */
  error?: DeliverError
  /**
   * `ok`; `wrongly-accepted` (2xx where a reject was expected, or processed more than once);
   * `wrongly-rejected`; `no-answer`; `too-slow` (`answer-time`); `wrong-state` (`out-of-order`).
   */
  verdict: Verdict
  /** Why the verdict, where the status alone does not say. */
  note?: string
  /** Passed, but not as a provider would like: a failure its retry policy resolves. */
  warning?: string
  /** `answer-time`: the measured answers. */
  timing?: AnswerTiming
}

/** What `answer-time` measured. */
export interface AnswerTiming {
  /** Deliveries in the burst. */
  count: number
  p50Ms: number
  maxMs: number
  /** The limit the slowest answer was held to, and where it comes from. */
  limitMs: number
  source: string
}

/** What `checkReceiver` found. Plain data, and a `summary` to print. */
export interface ReceiverReport {
  /** True when every case was answered as expected. */
  ok: boolean
  url: string
  /** `url`, `listener` (served by hookwright for the run) or `fetch` (in-process). */
  target: OpenTarget['kind']
  scheme: string
  results: CaseResult[]
  wronglyAccepted: CaseResult[]
  wronglyRejected: CaseResult[]
  noAnswer: CaseResult[]
  /** Every result whose verdict is not `ok`. */
  failed: CaseResult[]
  /** Passed with a warning. */
  warnings: CaseResult[]
  /** Selected cases that could not run, and why (no event pair for the scheme…). */
  skipped: Array<{ name: string; reason: string }>
  /** Lines for people: each wrong answer with its case, status and what the case tests. */
  summary: string
}

/** The cases `checkReceiver` runs beyond `badDeliveries`, with their groups, in run order. */
export const runCases: ReadonlyArray<{ name: string; group: CaseGroup; description: string }> = [
  {
    name: 'concurrent-duplicates',
    group: 'idempotency',
    description:
      'The same valid delivery sent several times at once: exactly one is processed (a ' +
      '"have I seen this id?" check followed later by the insert lets them all through).',
  },
  {
    name: 'out-of-order',
    group: 'robustness',
    description:
      'Two related events sent newest first: both answered 2xx, and the newer state wins.',
  },
  {
    name: 'answer-time',
    group: 'timing',
    description:
      "A burst of valid deliveries at once: the slowest answer within the provider's timeout " +
      '(answer first, work later).',
  },
  {
    name: 'alive-after-garbage',
    group: 'robustness',
    description: 'After the malformed and garbage requests, one more valid delivery is accepted.',
  },
]

const GROUPS: readonly CaseGroup[] = ['signature', 'idempotency', 'timing', 'robustness']

/** Case names that only some schemes have: selecting one for another scheme selects nothing. */
const SOME_SCHEME_CASES = [
  'timestamp-too-old',
  'timestamp-in-future',
  'timestamp-just-inside',
  'replayed-message-id',
  'retried-with-new-signature',
  'json-whitespace-changed',
  'json-keys-reordered',
  'valid-pretty-json',
  'wrong-version',
  'other-algorithm',
  'missing-token',
  'empty-token',
  'wrong-token',
  'token-too-short',
  'token-too-long',
]

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
  'path',
  'only',
  'skip',
  'concurrency',
  'burst',
  'answerTimeLimitMs',
  'maxBodyBytes',
  'pair',
  'stateOf',
  'retry',
])

/**
 * Checks a receiver against the whole receiver pattern: every case of `badDeliveries` (the
 * signature cases, the replay, the retry with a new signature, the oversized body), then
 * `concurrent-duplicates`, `out-of-order`, `answer-time` and `alive-after-garbage`. The target
 * is a URL, a Node listener or Express/Fastify app (served on 127.0.0.1 for the run), or a
 * fetch handler called in-process. Wrong answers are results, never exceptions.
 *
 * @example
 * const report = await checkReceiver(app, { scheme: 'stripe', secret, payload, path: '/webhooks',
 *   processedCount: () => db.events.count() })
 * expect(report.failed).toEqual([])
 * console.log(report.summary)
 */
export async function checkReceiver(
  target: ReceiverTarget,
  options: CheckReceiverOptions,
): Promise<ReceiverReport> {
  if (options === null || typeof options !== 'object') {
    invalidOption(
      'checkReceiver(target, options)',
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
  const { processedCount, stateOf } = options
  if (processedCount !== undefined && typeof processedCount !== 'function') {
    invalidOption('processedCount', 'a function () => number', processedCount)
  }
  if (stateOf !== undefined && typeof stateOf !== 'function') {
    invalidOption('stateOf', 'a function (id) => the receiver’s record of the object', stateOf)
  }
  const concurrency = count(options.concurrency ?? 5, 'concurrency', 2, 100)
  const burst = count(options.burst ?? 20, 'burst', 1, 200)
  const limits = limitsFor(scheme.name)
  const answerLimit =
    options.answerTimeLimitMs === undefined
      ? { ms: limits.timeoutMs, source: limits.timeoutSource }
      : {
          ms: checkTimeout(options.answerTimeLimitMs, 'answerTimeLimitMs'),
          source: 'answerTimeLimitMs',
        }
  const policy = checkPolicy(options.retry ?? defaultPolicy(scheme.name))
  const selected = selection(options.only, options.skip)

  const open = await openTarget(target, {
    path: options.path,
    dispatcher: options.dispatcher,
    option: 'checkReceiver(target)',
  })
  // The made-up deliveries' event ids carry a tag of this run, so a second run against the same
  // store is not taken for duplicates of the first (object payloads with a string `id`).
  const run = randomUUID().slice(0, 8)
  const payload = uniquePayload(options.payload, `run${run}`)
  try {
    const makeCases = () =>
      badDeliveries(scheme, {
        payload,
        secret: options.secret,
        url: open.url,
        // undefined means the scheme's default there too
        tolerance: options.tolerance,
        maxBodyBytes: options.maxBodyBytes,
      })
    const cases = makeCases()
    // The timestamp cases sit a margin (1 s for Paddle's 5 s tolerance) from the edge: they are
    // signed again just before they are sent, so the earlier cases' time does not use it up.
    const signedNow = (c: BadDelivery) =>
      c.name.startsWith('timestamp-') ? (makeCases().find((n) => n.name === c.name) ?? c) : c
    const known = new Set([
      ...SOME_SCHEME_CASES,
      ...cases.map((c) => c.name),
      ...runCases.map((c) => c.name),
    ])
    for (const name of [...(options.only ?? []), ...(options.skip ?? [])]) {
      if (
        !known.has(name) &&
        !name.startsWith('missing-header-') &&
        !GROUPS.includes(name as CaseGroup)
      ) {
        invalidOption(
          options.only?.includes(name) ? 'only' : 'skip',
          `case or group names: ${[...GROUPS, ...known].join(', ')}`,
          name,
        )
      }
    }
    const wanted = (name: string, group: CaseGroup) => selected(name, group)

    const method_ = method.toUpperCase()
    const send = (
      c: { url?: string; headers: Record<string, string>; body: string | Uint8Array },
      ms = timeoutMs,
    ) =>
      open.send({
        url: c.url ?? open.url,
        method: method_,
        headers: { ...extraHeaders, ...c.headers },
        body: c.body,
        timeoutMs: ms,
      })
    let serial = 0
    /** A fresh valid delivery: its own message id and, for object payloads, its own `id`. */
    const fresh = (tag: string, base: Payload = payload) => {
      const id = `msg_${randomUUID().replace(/-/g, '')}`
      const signed = scheme.sign({
        payload: uniquePayload(base, `${tag}${++serial}`),
        secret: options.secret,
        id,
        url: open.url,
      })
      return signedRequest(signed)
    }
    const processed = async () => (processedCount ? await processedCount() : undefined)

    const results: CaseResult[] = []
    const skipped: ReceiverReport['skipped'] = []
    for (const c of cases) {
      if (!wanted(c.name, c.group)) continue
      results.push(await runDelivery(signedNow(c)))
    }
    for (const c of runCases) {
      if (!wanted(c.name, c.group)) continue
      const base = {
        name: c.name,
        group: c.group,
        description: c.description,
        expect: 'accept' as const,
      }
      if (c.name === 'concurrent-duplicates') results.push(await concurrentDuplicates(base))
      if (c.name === 'out-of-order') {
        const pair = resolvePair(options.pair, scheme.name)
        if (!pair) {
          skipped.push({
            name: c.name,
            reason: `no event pair for ${scheme.name}: pass \`pair: { older, newer }\``,
          })
        } else results.push(await outOfOrder(base, pair))
      }
      if (c.name === 'answer-time') results.push(await answerTime(base))
      if (c.name === 'alive-after-garbage') results.push(await aliveAfterGarbage(base))
    }

    const failed = results.filter((r) => r.verdict !== 'ok')
    return {
      ok: failed.length === 0,
      url: open.url,
      target: open.kind,
      scheme: scheme.name,
      results,
      wronglyAccepted: results.filter((r) => r.verdict === 'wrongly-accepted'),
      wronglyRejected: results.filter((r) => r.verdict === 'wrongly-rejected'),
      noAnswer: results.filter((r) => r.verdict === 'no-answer'),
      failed,
      warnings: results.filter((r) => r.warning !== undefined),
      skipped,
      summary: summarize(open.url, scheme.name, results, skipped),
    }

    async function runDelivery(c: BadDelivery): Promise<CaseResult> {
      const base = { name: c.name, group: c.group, description: c.description, expect: c.expect }
      if (c.sendTwice || c.sendFirst) {
        const before = await processed()
        const first = await send(c.sendFirst ?? c)
        if (!is2xx(first.status)) {
          return {
            ...base,
            ...outcomeFields(first),
            verdict: first.status === undefined ? 'no-answer' : 'wrongly-rejected',
            note: 'The first, valid, delivery was not accepted, so the case could not be judged.',
          }
        }
        const second = await send(c)
        const result: CaseResult = { ...base, ...outcomeFields(second), verdict: 'ok' }
        if (second.status === undefined) {
          result.verdict = 'no-answer'
          return result
        }
        const done = before === undefined ? undefined : (await processed())! - before
        if (done === 0 && is2xx(second.status)) {
          // Nothing to deduplicate: the first, valid, delivery itself was dropped.
          result.verdict = 'wrongly-rejected'
          result.note =
            'Both deliveries were answered 2xx, but processedCount did not move: the valid delivery was accepted and never processed.'
          return result
        }
        if (c.sendFirst) {
          // A retry must be answered 2xx, or the provider keeps retrying it.
          if (!is2xx(second.status)) {
            result.verdict = 'wrongly-rejected'
            result.note =
              'The retry was refused: a provider retries a refused delivery again, until it gives up.'
          } else if (done !== undefined && done !== 1) {
            result.verdict = 'wrongly-accepted'
            result.note = `Processed ${done} times for one message delivered twice: deduplicate by the message id, not by the signature or the body.`
          } else if (done === undefined) {
            result.note = 'Both answered 2xx; pass `processedCount` to check it was processed once.'
          }
          return result
        }
        if (is2xx(second.status)) {
          if (done !== undefined) {
            if (done !== 1) {
              result.verdict = 'wrongly-accepted'
              result.note = `The replay was processed: ${done} deliveries were processed for 2 sends.`
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
        return result
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
      if (c.name === 'oversized-body' && result.verdict !== 'wrongly-accepted') {
        // Refusing is half of it: the receiver must still take the next delivery.
        const next = await send(fresh('after-oversized'))
        if (!is2xx(next.status)) {
          return {
            ...base,
            ...outcomeFields(next),
            verdict: next.status === undefined ? 'no-answer' : 'wrongly-rejected',
            note: `The oversized body got ${seen(outcome)}, but then a valid delivery got ${seen(next)}.`,
          }
        }
      }
      return result
    }

    async function concurrentDuplicates(base: Base): Promise<CaseResult> {
      const request = fresh('concurrent')
      const before = await processed()
      const outcomes = await Promise.all(Array.from({ length: concurrency }, () => send(request)))
      const done = before === undefined ? undefined : (await processed())! - before
      const accepted = outcomes.filter((o) => is2xx(o.status)).length
      const answers = `answers: ${outcomes.map(seen).join(', ')}`
      const result: CaseResult = { ...base, ...outcomeFields(outcomes[0]!), verdict: 'ok' }
      if (outcomes.some((o) => o.status === undefined)) {
        const missing = outcomes.find((o) => o.status === undefined)!
        // The verdict is about the missing answer: no status of another copy beside its error.
        return { ...base, ...outcomeFields(missing), verdict: 'no-answer', note: `${answers}.` }
      }
      if (accepted === 0) {
        return {
          ...result,
          verdict: 'wrongly-rejected',
          note: `No copy was accepted (${answers}).`,
        }
      }
      if (done !== undefined) {
        if (done === 1)
          return { ...result, note: `Processed once for ${concurrency} copies (${answers}).` }
        return {
          ...result,
          // Stryker disable next-line EqualityOperator: done === 1 returned above, so >= 1 and > 1 agree here
          verdict: done > 1 ? 'wrongly-accepted' : 'wrongly-rejected',
          note:
            `Processed ${done} times for ${concurrency} copies sent at once (${answers}): ` +
            // Stryker disable next-line EqualityOperator: done === 1 returned above, so >= 1 and > 1 agree here
            (done > 1
              ? 'the check for a seen id and the insert are not one atomic step (use a unique constraint or an atomic set-if-absent).'
              : 'a copy was accepted but none was processed.'),
        }
      }
      if (accepted > 1) {
        return {
          ...result,
          verdict: 'wrongly-accepted',
          note: `${accepted} of ${concurrency} copies answered 2xx (${answers}). If duplicates are ignored on purpose, pass \`processedCount\`.`,
        }
      }
      return { ...result, note: `One copy accepted (${answers}).` }
    }

    async function outOfOrder(base: Base, pair: EventPair): Promise<CaseResult> {
      const older = fresh('older', uniquePayload(pair.older, `run${run}`))
      const newer = fresh('newer', uniquePayload(pair.newer, `run${run}`))
      const warnings: string[] = []
      const sent = [
        { label: 'newer', request: newer, first: await send(newer) },
        { label: 'older', request: older, first: await send(older) },
      ]
      for (const { label, request, first } of sent) {
        if (is2xx(first.status)) continue
        // What the provider would do: retry on its schedule, signed afresh, until a 2xx.
        const schedule: string[] = [seen(first)]
        let elapsed = 0
        let last = first
        for (const delay of policy.delays) {
          elapsed += delay
          last = await send(resign(request))
          schedule.push(`${seen(last)} after ${formatDelay(elapsed)}`)
          if (is2xx(last.status)) break
        }
        const resolved = is2xx(last.status)
        const plan = `${policy.name} retries (${policy.delays.map(formatDelay).join(', ') || 'none'}; ${policy.source})`
        if (!resolved) {
          return {
            ...base,
            ...outcomeFields(first),
            verdict: first.status === undefined ? 'no-answer' : 'wrongly-rejected',
            note: `The ${label} event got ${schedule.join(', then ')}: ${plan} never got a 2xx.`,
          }
        }
        warnings.push(
          `The ${label} event got ${seen(first)} when it arrived out of order; ${plan} would ` +
            `resolve it: ${schedule.join(', then ')}.`,
        )
      }
      const result: CaseResult = { ...base, status: 200, verdict: 'ok' }
      if (warnings.length > 0) result.warning = warnings.join(' ')
      if (stateOf) {
        const want = expectedState(pair)
        const id = objectOf(pair.newer)?.id
        const state = (await stateOf(typeof id === 'string' ? id : undefined)) as
          Record<string, unknown> | undefined
        const wrong = Object.keys(want).filter(
          (k) => JSON.stringify(state?.[k]) !== JSON.stringify(want[k]),
        )
        if (wrong.length > 0) {
          result.verdict = 'wrong-state'
          result.note =
            `After both events, the record holds the older event's ${wrong.join(', ')} ` +
            `(${wrong.map((k) => `${k}: ${JSON.stringify(state?.[k])}, newer ${JSON.stringify(want[k])}`).join('; ')}): ` +
            "compare the event's time with the stored one before writing."
        } else {
          result.note = `The record holds the newer event's ${Object.keys(want).join(', ') || 'state'}.`
        }
      }
      return result
    }

    async function answerTime(base: Base): Promise<CaseResult> {
      // Past the limit the exact figure no longer matters: stop waiting soon after it.
      const deadline = Math.min(timeoutMs, Math.ceil(answerLimit.ms * 1.5) + 1000)
      const requests = Array.from({ length: burst }, () => fresh('burst'))
      const outcomes = await Promise.all(requests.map((r) => send(r, deadline)))
      const times = outcomes.map((o) => o.durationMs).sort((a, b) => a - b)
      const timing: AnswerTiming = {
        count: burst,
        p50Ms: Math.round(times[Math.floor((times.length - 1) / 2)]!),
        maxMs: Math.round(times[times.length - 1]!),
        limitMs: answerLimit.ms,
        source: answerLimit.source,
      }
      const slowest = outcomes.reduce((a, b) => (b.durationMs > a.durationMs ? b : a))
      const result: CaseResult = { ...base, ...outcomeFields(slowest), verdict: 'ok', timing }
      const figures = `p50 ${timing.p50Ms} ms, max ${timing.maxMs} ms for ${burst} at once; limit ${answerLimit.ms} ms (${answerLimit.source})`
      const late = outcomes.filter(
        (o) => o.durationMs > answerLimit.ms || o.error?.code === 'timeout',
      )
      if (late.length > 0) {
        result.verdict = 'too-slow'
        result.note = `${late.length} of ${burst} answers came after the limit (${figures}): answer 2xx first, then do the work.`
        return result
      }
      const refused = outcomes.find((o) => !is2xx(o.status))
      if (refused) {
        return {
          ...base,
          ...outcomeFields(refused),
          timing,
          verdict: refused.status === undefined ? 'no-answer' : 'wrongly-rejected',
          note: `Not every delivery of the burst was accepted (${figures}).`,
        }
      }
      result.note = `${figures}.`
      return result
    }

    async function aliveAfterGarbage(base: Base): Promise<CaseResult> {
      // Validly signed bytes that are not JSON, then junk with no signature at all.
      const garbage = [
        signedRequest(
          scheme.sign({
            payload: '{"id": "evt_garbage", "data": {',
            secret: options.secret,
            id: `msg_${randomUUID().replace(/-/g, '')}`,
            url: open.url,
          }),
        ),
        {
          headers: { 'content-type': 'application/json' },
          body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x22]),
        },
      ]
      const answers: string[] = []
      for (const g of garbage) answers.push(seen(await send(g)))
      const next = await send(fresh('alive'))
      const result: CaseResult = { ...base, ...outcomeFields(next), verdict: 'ok' }
      if (!is2xx(next.status)) {
        result.verdict = next.status === undefined ? 'no-answer' : 'wrongly-rejected'
        result.note = `After garbage (answered ${answers.join(', ')}), a valid delivery got ${seen(next)}.`
      } else {
        result.note = `Garbage answered ${answers.join(', ')}; the next valid delivery ${seen(next)}.`
      }
      return result
    }

    /** The same message re-signed now, as a provider's retry is. */
    function resign(request: SignedCase): SignedCase {
      return signedRequest(
        scheme.sign({
          payload: request.payload,
          secret: options.secret,
          id: request.id,
          url: open.url,
        }),
      )
    }

    function signedRequest(signed: {
      headers: Record<string, string>
      body: string | Uint8Array<ArrayBuffer>
      url?: string
    }): SignedCase {
      const headers = {
        'content-type': defaultContentType(signed.body),
        ...lowerCaseHeaders(signed.headers),
      }
      return {
        headers,
        body: signed.body,
        url: signed.url ?? open.url,
        payload: signed.body,
        id: messageId(headers),
      }
    }
  } finally {
    await open.close()
  }
}

type Base = Pick<CaseResult, 'name' | 'group' | 'description' | 'expect'>

interface SignedCase {
  headers: Record<string, string>
  body: string | Uint8Array
  url?: string
  /** The signed bytes, to sign again for a retry. */
  payload: string | Uint8Array
  /** The scheme's message id header value, if it has one. */
  id: string | undefined
}

const ID_HEADERS = [
  'webhook-id',
  'svix-id',
  'x-github-delivery',
  'x-shopify-webhook-id',
  'shopify-webhook-id',
]

function messageId(headers: Record<string, string>): string | undefined {
  for (const name of ID_HEADERS) if (headers[name] !== undefined) return headers[name]
  return undefined
}

function selection(
  only: readonly string[] | undefined,
  skip: readonly string[] | undefined,
): (name: string, group: CaseGroup) => boolean {
  for (const [option, list] of [
    ['only', only],
    ['skip', skip],
  ] as const) {
    if (list !== undefined && (!Array.isArray(list) || !list.every((n) => typeof n === 'string'))) {
      invalidOption(option, 'an array of case or group names', list)
    }
  }
  return (name, group) =>
    (only === undefined || only.includes(name) || only.includes(group)) &&
    !(skip?.includes(name) || skip?.includes(group))
}

function count(value: unknown, option: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    invalidOption(option, `a whole number from ${min} to ${max}`, value)
  }
  return value as number
}

/** Accepted: a 2xx. No answer (`undefined`) is not. */
function is2xx(status: number | undefined): boolean {
  const code = status ?? 0
  return code >= 200 && code < 300
}

function seen(o: { status?: number; error?: DeliverError }): string {
  // Stryker disable next-line OptionalChaining: an outcome without a status always carries an error (deliver and the fetch target set one)
  return o.status !== undefined ? String(o.status) : `no answer (${o.error?.code})`
}

function formatDelay(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`
  return `${ms / 1000} s`
}

function outcomeFields(outcome: DeliverOutcome | { status?: number; error?: DeliverError }): {
  status?: number
  error?: DeliverError
} {
  return outcome.status !== undefined ? { status: outcome.status } : { error: outcome.error! }
}

function summarize(
  url: string,
  scheme: string,
  results: readonly CaseResult[],
  skipped: ReceiverReport['skipped'],
): string {
  const wrong = results.filter((r) => r.verdict !== 'ok')
  const head =
    wrong.length === 0
      ? `checkReceiver ${url} (${scheme}): all ${results.length} cases answered as expected.`
      : `checkReceiver ${url} (${scheme}): ${wrong.length} of ${results.length} cases answered wrongly.`
  const lines = wrong.map(
    (r) =>
      `  ✗ ${r.name}: ${r.verdict.replace('-', ' ')} (${
        r.expect === 'accept' && r.verdict !== 'wrongly-rejected'
          ? `got ${seen(r)}`
          : `expected ${r.expect}, got ${seen(r)}`
      }). ${r.description}${r.note ? ` ${r.note}` : ''}`,
  )
  for (const r of results.filter((r) => r.warning !== undefined)) {
    lines.push(`  ! ${r.name}: ${r.warning}`)
  }
  const timing = results.find((r) => r.timing && r.verdict === 'ok')
  if (timing?.timing) {
    const t = timing.timing
    lines.push(`  ⏱ answer-time: p50 ${t.p50Ms} ms, max ${t.maxMs} ms (limit ${t.limitMs} ms)`)
  }
  const passed = results.filter((r) => r.verdict === 'ok')
  if (passed.length > 0) {
    lines.push(`  ✓ ${passed.map((r) => `${r.name} ${seen(r)}`).join(', ')}`)
  }
  for (const s of skipped) lines.push(`  - ${s.name}: skipped, ${s.reason}`)
  return [head, ...lines].join('\n')
}
