/**
 * "Did you mean": the candidates nearest a misspelled name, for misuse messages (an unknown
 * scheme, option key, command or fixture). Case, `-` and `_` are ignored when comparing, so
 * `'Stripe'` finds `stripe` and `'standard-webhooks'` finds `standardWebhooks`.
 */
export function closest(
  name: string,
  candidates: readonly string[],
  { max = 1 }: { max?: number } = {},
): string[] {
  const key = fold(name)
  // Within a third of the longer name: `lisen` → `listen`, never `sign` → `zoom`.
  return candidates
    .map((candidate) => {
      const other = fold(candidate)
      const d = distance(key, other)
      const prefix = key.length >= 3 && (other.startsWith(key) || key.startsWith(other))
      return {
        candidate,
        d: prefix ? Math.min(d, 1) : d,
        limit: Math.max(key.length, other.length) / 3,
      }
    })
    .filter((c) => c.d <= Math.max(1, c.limit))
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((c) => c.candidate)
}

/** ` Did you mean "x"?` (with a leading space), or '' when nothing is near. */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  quote: (s: string) => string = (s) => JSON.stringify(s),
): string {
  const [best] = closest(name, candidates)
  return best === undefined ? '' : ` Did you mean ${quote(best)}?`
}

function fold(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '')
}

/** Edit distance, a swap of two neighbours counting as one edit (`cuont` → `count`). */
export function distance(a: string, b: string): number {
  let before: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, before[j - 2]! + 1)
      }
      row.push(d)
    }
    before = prev
    prev = row
  }
  return prev[b.length]!
}
