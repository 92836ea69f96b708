/**
 * `expectWebhook(...)` chains that were made but never awaited: such a chain checks nothing, and
 * the test passes. When the source they watch closes (or the process exits) each is reported
 * once, naming the line that made it, as a `HookwrightWarning` (code `HOOKWRIGHT_UNAWAITED`).
 * Kept apart from `assert/` and `receiver/` so that neither imports the other.
 */
interface Pending {
  readonly label: string
  /** `at file:line:column`, the caller of expectWebhook. */
  readonly site: string
}

const pendingBySource = new Map<object, Set<Pending>>()
let exitHookInstalled = false

/** Records a chain on `source`; call the returned function once it is awaited. */
export function trackUnawaited(source: object, label: string, site: string): () => void {
  const entry: Pending = { label, site }
  let set = pendingBySource.get(source)
  if (set === undefined) pendingBySource.set(source, (set = new Set()))
  set.add(entry)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    // At exit only synchronous writes get out; a warning event would be too late.
    process.once('exit', () => {
      for (const source of [...pendingBySource.keys()]) {
        for (const message of take(source)) process.stderr.write(`HookwrightWarning: ${message}\n`)
      }
    })
  }
  return () => {
    set.delete(entry)
    if (set.size === 0 && pendingBySource.get(source) === set) pendingBySource.delete(source)
  }
}

/** Warns about every chain on these sources that was never awaited (a source is closing). */
export function reportUnawaited(sources: Iterable<object>): void {
  if (pendingBySource.size === 0) return
  for (const source of sources) {
    for (const message of take(source)) {
      process.emitWarning(message, { type: 'HookwrightWarning', code: 'HOOKWRIGHT_UNAWAITED' })
    }
  }
}

function take(source: object): string[] {
  const set = pendingBySource.get(source)
  if (set === undefined) return []
  pendingBySource.delete(source)
  return [...set].map(
    ({ label, site }) =>
      `expectWebhook(${label}) was never awaited, so it checked nothing: add \`await\` ${site}.`,
  )
}

/** `at file:line:column` of the first frame of a captured stack, or '' when there is none. */
export function callSiteOf(stack: string | undefined): string {
  const frame = stack?.split('\n')[1]?.trim()
  if (!frame) return ''
  // "at fn (file:1:2)" → "at file:1:2"; "at file:1:2" stays.
  const inParens = /\((.+:\d+:\d+)\)$/.exec(frame)
  return inParens ? `at ${inParens[1]}` : frame
}
