/**
 * An asymmetric matcher from vitest or jest (`expect.any(Number)`, `expect.stringContaining('x')`).
 * Recognised by shape, so neither runner is imported.
 */
export interface AsymmetricMatcherLike {
  asymmetricMatch(other: unknown): boolean
  toAsymmetricMatcher?(): string
}

/** Anything that can stand in for a value inside a partial: a RegExp, a predicate, an asymmetric matcher. */
export type ValueMatcher = RegExp | ((value: any) => boolean) | AsymmetricMatcherLike

/**
 * What `withJson` and `{ json }` accept for a payload of type `T`: every key optional, at any
 * depth; arrays compared element by element; any value replaceable by a `ValueMatcher`.
 */
export type PartialMatch<T> = T extends readonly (infer U)[]
  ? readonly PartialMatch<U>[] | ValueMatcher
  : T extends object
    ? { [K in keyof T]?: PartialMatch<T[K]> } | ValueMatcher
    : T | ValueMatcher

/** One place where a payload differs from the expected partial. */
export interface JsonDifference {
  /** `data.object.lines[0].amount`; empty for the top-level value. */
  path: string
  message: string
}

const MISSING = Symbol('missing')

/** True if `actual` matches the deep partial `expected` (see `diffPartial` for the rules). */
export function matchesPartial(actual: unknown, expected: unknown): boolean {
  return diffPartial(actual, expected, 1).length === 0
}

/**
 * Where `actual` departs from the deep partial `expected`. Objects match when every expected
 * key matches (extra keys are fine); arrays must have the same length and match position by
 * position, as `toMatchObject` does; RegExps test strings; functions and asymmetric matchers
 * decide for themselves; anything else compares with `Object.is`.
 *
 * @example
 * diffPartial({ data: { amount: 400 } }, { data: { amount: 500 } })
 * // [{ path: 'data.amount', message: 'data.amount: expected 500, got 400' }]
 */
export function diffPartial(actual: unknown, expected: unknown, limit = 10): JsonDifference[] {
  const out: JsonDifference[] = []
  walk(actual, expected, '', out, limit)
  return out
}

function walk(
  actual: unknown,
  expected: unknown,
  path: string,
  out: JsonDifference[],
  limit: number,
): void {
  if (out.length >= limit) return
  const add = (what: string, got: string): void => {
    out.push({ path, message: `${path || '(body)'}: expected ${what}, got ${got}` })
  }
  const got = actual === MISSING ? 'nothing' : formatValue(actual)

  if (isValueMatcher(expected)) {
    if (actual === MISSING || !runValueMatcher(expected, actual)) add(formatValue(expected), got)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return add(`an array of ${expected.length}`, got)
    if (actual.length !== expected.length) {
      return add(`${plural(expected.length, 'item')}`, plural(actual.length, 'item'))
    }
    expected.forEach((item, i) => walk(actual[i], item, `${path}[${i}]`, out, limit))
    return
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return add('an object', got)
    for (const [key, value] of Object.entries(expected)) {
      const child = Object.hasOwn(actual, key) ? actual[key] : MISSING
      walk(child, value, joinPath(path, key), out, limit)
    }
    return
  }
  if (actual === MISSING || !Object.is(actual, expected)) add(formatValue(expected), got)
}

function isValueMatcher(value: unknown): value is ValueMatcher {
  return (
    value instanceof RegExp ||
    typeof value === 'function' ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as AsymmetricMatcherLike).asymmetricMatch === 'function')
  )
}

function runValueMatcher(matcher: ValueMatcher, actual: unknown): boolean {
  if (matcher instanceof RegExp) {
    // A RegExp with the g or y flag keeps state between calls; reset it so every delivery starts alike.
    matcher.lastIndex = 0
    return typeof actual === 'string' && matcher.test(actual)
  }
  try {
    return typeof matcher === 'function'
      ? matcher(actual) === true
      : matcher.asymmetricMatch(actual) === true
  } catch {
    return false
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function joinPath(path: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`
  return path === '' ? key : `${path}.${key}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/**
 * A compact, one-line rendering of an expected or received value for messages: JSON where it
 * can be, `/re/` for RegExps, the matcher's own name for asymmetric matchers; cut at `max`.
 */
export function formatValue(value: unknown, max = 80): string {
  const text = render(value, 0)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function render(value: unknown, depth: number): string {
  if (value === undefined) return 'undefined'
  if (value === MISSING) return 'nothing'
  if (value instanceof RegExp) return String(value)
  if (typeof value === 'function') return value.name ? `${value.name}()` : 'a predicate'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value)
  const asymmetric = value as Partial<AsymmetricMatcherLike>
  if (typeof asymmetric.asymmetricMatch === 'function') {
    if (asymmetric.toAsymmetricMatcher) return asymmetric.toAsymmetricMatcher()
    // Both runners keep the matcher's argument in `sample`: `StringContaining "eur"`.
    const sample = (value as { sample?: unknown }).sample
    return sample === undefined ? String(value) : `${String(value)} ${render(sample, depth + 1)}`
  }
  if (depth > 6) return Array.isArray(value) ? '[…]' : '{…}'
  if (Array.isArray(value)) return `[${value.map((v) => render(v, depth + 1)).join(',')}]`
  const entries = Object.entries(value).map(
    ([k, v]) => `${JSON.stringify(k)}:${render(v, depth + 1)}`,
  )
  return `{${entries.join(',')}}`
}
