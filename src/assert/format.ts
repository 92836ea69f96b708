import { summarizeDelivery } from '../delivery.js'
import type { Delivery } from '../delivery.js'

/** The parts of an assertion failure; `formatFailure` lays them out the same way for every runner. */
export interface FailureReport {
  /** `expectWebhook(http://127.0.0.1:4400/h/abc)` or `expect(received).toHaveReceivedWebhook()` */
  title: string
  /** `expected exactly 3 deliveries within 5000 ms` */
  expected: string
  /** Descriptions of the checks every delivery had to pass. */
  criteria: readonly string[]
  /** `but 1 matched.` */
  outcome: string
  /** Problems over the matched deliveries as a group (retry delays, one header value). */
  groupProblems?: readonly string[]
  /** Everything the source holds, oldest first. */
  deliveries: readonly Delivery[]
  /** Why each delivery that missed missed; deliveries absent here matched. */
  misses: ReadonlyMap<Delivery, readonly string[]>
  /** Where the deliveries were looked for, for the "nothing arrived" line. */
  label: string
}

/** At most this many deliveries are listed (the most recent); a long run would bury the cause. */
export const MAX_LISTED = 20

/**
 * The failure message of every assertion and matcher: what was expected, what happened, then
 * one line per delivery that did arrive (`summarizeDelivery`) with the reasons it missed under
 * it. Header values that carry signatures or tokens and the secrets are never shown.
 */
export function formatFailure(report: FailureReport): string {
  const lines = [`${report.title}: ${report.expected}`]
  for (const criterion of report.criteria) lines.push(`  with ${criterion}`)
  lines.push(report.outcome)
  for (const problem of report.groupProblems ?? []) lines.push(`  ${problem}`)
  lines.push(...listDeliveries(report.deliveries, report.misses, report.label))
  return lines.join('\n')
}

/** The "Arrived (n):" section: a line per delivery, ✓ or ✗, with reasons under each miss. */
export function listDeliveries(
  deliveries: readonly Delivery[],
  misses: ReadonlyMap<Delivery, readonly string[]>,
  label: string,
): string[] {
  if (deliveries.length === 0) return [`Nothing arrived at ${label}.`]
  const lines = [`Arrived at ${label} (${deliveries.length}):`]
  const shown = deliveries.slice(-MAX_LISTED)
  if (shown.length < deliveries.length) {
    lines.push(`  … ${deliveries.length - shown.length} earlier not shown`)
  }
  for (const d of shown) {
    const reasons = misses.get(d)
    lines.push(`  ${reasons ? '✗' : '✓'} ${summarizeDelivery(d)}`)
    for (const reason of reasons ?? []) lines.push(`      ${reason}`)
  }
  return lines
}

/** `1 delivery`, `3 deliveries`. */
export function deliveriesCount(n: number): string {
  return `${n} ${n === 1 ? 'delivery' : 'deliveries'}`
}
