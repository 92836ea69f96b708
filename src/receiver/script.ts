import { invalidOption } from '../errors.js'
import type { RespondStep } from './types.js'

/** A script step with every default filled in: what to answer one attempt with. */
export interface ResolvedStep {
  status: number
  /** Lower-case names; includes `content-type` for a body and `retry-after` when asked for. */
  headers: Record<string, string>
  body: Uint8Array
  /** Hold the answer (or the reset) back this long. */
  delayMs: number
  /** `respond` answers; `reset` destroys the socket; `hang` never answers. */
  action: 'respond' | 'reset' | 'hang'
}

/** Maps an attempt number (1, 2, …) to the step that answers it. */
export type Responder = (attempt: number) => ResolvedStep

let answer200: Responder | undefined

const STEP_KEYS = new Set(['status', 'body', 'headers', 'delayMs', 'retryAfter', 'action'])
const EMPTY: Uint8Array = new Uint8Array(0)

/**
 * Turns a response script into a function from attempt number to answer. Step N answers
 * attempt N and the last step repeats, so `[500, 500, 200]` fails twice and then succeeds for
 * good. The whole script is checked here, up front, so a typo fails when the endpoint is
 * made rather than in the middle of a sender's retries.
 *
 * @example
 * const respond = createResponder([500, { status: 503, retryAfter: 2 }, 'reset', 200])
 * respond(2) // { status: 503, headers: { 'retry-after': '2' }, action: 'respond', … }
 * respond(9) // { status: 200, … }
 */
export function createResponder(
  respond: RespondStep | readonly RespondStep[] | undefined,
  option = 'respond',
): Responder {
  // Most endpoints answer 200 to everything: they share one responder and one step.
  if (respond === undefined) return (answer200 ??= createResponder(200))
  const list: readonly RespondStep[] = Array.isArray(respond) ? respond : [respond as RespondStep]
  if (list.length === 0) {
    invalidOption(option, 'a step or a non-empty list of steps', respond)
  }
  const steps = list.map((step, i) =>
    resolveStep(step, Array.isArray(respond) ? `${option}[${i}]` : option),
  )
  const last = steps.length - 1
  return (attempt) => steps[Math.min(Math.max(attempt, 1), steps.length) - 1] ?? steps[last]!
}

function resolveStep(step: RespondStep, where: string): ResolvedStep {
  if (typeof step === 'number') return plain(checkStatus(step, where))
  if (step === 'reset' || step === 'hang') return { ...plain(0), action: step }
  if (step === null || typeof step !== 'object' || Array.isArray(step)) {
    invalidOption(
      where,
      'a status number, "reset", "hang" or { status, body, headers, delayMs, retryAfter, action }',
      step,
    )
  }
  for (const key of Object.keys(step)) {
    if (!STEP_KEYS.has(key)) {
      invalidOption(
        where,
        `a step with only the keys ${[...STEP_KEYS].join(', ')} (unknown key "${key}")`,
        step,
      )
    }
  }
  const action = step.action ?? 'respond'
  if (action !== 'respond' && action !== 'reset' && action !== 'hang') {
    invalidOption(`${where}.action`, '"reset" or "hang"', step.action)
  }
  const headers: Record<string, string> = {}
  if (step.headers !== undefined) {
    if (step.headers === null || typeof step.headers !== 'object') {
      invalidOption(`${where}.headers`, 'an object of header names to string values', step.headers)
    }
    for (const [name, value] of Object.entries(step.headers)) {
      if (typeof value !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        invalidOption(
          `${where}.headers["${name}"]`,
          'a valid header name with a string value',
          value,
        )
      }
      headers[name.toLowerCase()] = value
    }
  }
  if (step.retryAfter !== undefined) {
    const value = step.retryAfter
    const ok =
      (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
      (typeof value === 'string' && value.length > 0 && !Number.isNaN(Date.parse(value)))
    if (!ok) {
      invalidOption(
        `${where}.retryAfter`,
        'whole seconds >= 0 or an HTTP date such as "Wed, 21 Oct 2026 07:28:00 GMT"',
        value,
      )
    }
    headers['retry-after'] = String(value)
  }
  const delayMs = step.delayMs ?? 0
  if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > 2 ** 31 - 1) {
    invalidOption(`${where}.delayMs`, 'milliseconds between 0 and 2147483647', step.delayMs)
  }
  let body = EMPTY
  if (step.body !== undefined) {
    if (typeof step.body === 'string') {
      body = Buffer.from(step.body, 'utf8')
      headers['content-type'] ??= 'text/plain; charset=utf-8'
    } else if (step.body instanceof Uint8Array) {
      body = step.body
      headers['content-type'] ??= 'application/octet-stream'
    } else if (step.body !== null && typeof step.body === 'object') {
      body = Buffer.from(JSON.stringify(step.body), 'utf8')
      headers['content-type'] ??= 'application/json'
    } else {
      invalidOption(`${where}.body`, 'a string, bytes or a JSON-serialisable object', step.body)
    }
  }
  const status = action === 'respond' ? checkStatus(step.status ?? 200, `${where}.status`) : 0
  if (action !== 'respond' && step.status !== undefined) {
    invalidOption(
      `${where}.status`,
      `no status with action "${action}" (it sends no answer)`,
      step.status,
    )
  }
  // Shared by every delivery this step answers, so nobody may change it.
  return { status, headers: Object.freeze(headers), body, delayMs, action }
}

const NO_HEADERS: Record<string, string> = Object.freeze({})

function plain(status: number): ResolvedStep {
  return { status, headers: NO_HEADERS, body: EMPTY, delayMs: 0, action: 'respond' }
}

function checkStatus(status: unknown, where: string): number {
  // 1xx are interim answers, not final ones, so a script cannot end an attempt with one.
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    invalidOption(where, 'an HTTP status from 200 to 599', status)
  }
  return status
}
