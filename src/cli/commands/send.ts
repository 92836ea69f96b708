import { existsSync } from 'node:fs'
import { clearInterval, setInterval, setTimeout } from 'node:timers'
import { type FixtureName, signedFixture } from '../../fixtures/index.js'
import { readFixture } from '../../fixtures/load.js'
import { providerSchemes, type FixtureProvider } from '../../fixtures/catalog.js'
import { defineScheme } from '../../schemes/define.js'
import { getScheme, schemes } from '../../schemes/registry.js'
import type { AnyScheme } from '../../schemes/types.js'
import { type SendResult, sendWebhook } from '../../sender/send.js'
import { retryPolicies } from '../../sender/policies.js'
import { type CommandSpec, headerPairs, int, parse, schemeOptions, str, url } from '../args.js'
import { type CliIO, UsageError, printJSON, readInput } from '../io.js'

const policyNames = Object.keys(retryPolicies)

/** The options, usage and examples of `hookwright send` (its `--help`). */
export const spec: CommandSpec = {
  name: 'send',
  summary:
    'Sign and deliver a fixture, a file or stdin to a URL, with a provider retry policy and optional load.',
  usage:
    'hookwright send <fixture|file|-> --to URL [--scheme NAME --secret S] [--retry POLICY] [--times N --concurrency C]',
  maxPositionals: 1,
  options: {
    to: { type: 'string', value: 'URL', description: 'where to deliver' },
    ...schemeOptions,
    retry: {
      type: 'string',
      value: 'POLICY',
      description: `retry schedule: ${policyNames.join(', ')} (default none)`,
    },
    'no-delay': {
      type: 'boolean',
      description: 'retry at once instead of waiting out the schedule',
    },
    times: {
      type: 'string',
      short: 'n',
      value: 'N',
      description: 'deliver N times (fixtures get fresh ids each time)',
    },
    concurrency: {
      type: 'string',
      short: 'c',
      value: 'C',
      description: 'deliveries in flight at once (default 1)',
    },
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'per-attempt timeout in milliseconds (default 15000)',
    },
    header: {
      type: 'string',
      short: 'H',
      multiple: true,
      value: "'K: V'",
      description: 'an extra request header',
    },
  },
  examples: [
    'hookwright send stripe/invoice.paid --to http://127.0.0.1:3000/webhooks/stripe --secret whsec_test',
    'hookwright send event.json --to http://127.0.0.1:3000/hooks --scheme standardWebhooks --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --retry standardWebhooks',
    'hookwright send stripe/charge.succeeded --to http://127.0.0.1:3000/webhooks/stripe --secret whsec_test --times 500 --concurrency 20',
  ],
}

// For `send` without a secret: sendWebhook always signs, and this scheme signs with nothing, so an
// unsigned delivery still gets the retry schedule, Retry-After and 410 handling.
const unsigned = defineScheme({
  name: 'unsigned',
  headers: [],
  sign: () => ({}),
  verify: (ctx) => ctx.fail('missing_header', 'Sent unsigned.'),
})

interface Source {
  /** A fixture, by name or path, or raw bytes. */
  fixture?: string
  provider?: string
  bytes?: Buffer
}

/** `hookwright send`: exits 1 unless every delivery got a 2xx. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const input = parsed.positionals[0]
  if (input === undefined)
    throw new UsageError(
      'give what to send: a fixture name (see `hookwright fixtures`), a file, or -.',
    )
  const to = url(parsed, 'to', 'where to deliver')
  const times = int(parsed, 'times', 1, { min: 1, max: 1_000_000 })
  const concurrency = int(parsed, 'concurrency', 1, { min: 1, max: 1000 })
  const timeoutMs = int(parsed, 'timeout', 15_000, { min: 1 })
  const retryName = str(parsed, 'retry') ?? 'none'
  if (!Object.hasOwn(retryPolicies, retryName)) {
    throw new UsageError(
      `unknown --retry ${JSON.stringify(retryName)}. Policies: ${policyNames.join(', ')}.`,
    )
  }
  const retry = retryPolicies[retryName as keyof typeof retryPolicies]
  const extra = Object.fromEntries(
    headerPairs((parsed.values.header as string[] | undefined) ?? []).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  )
  const source = await resolveSource(input, io)
  const secret = str(parsed, 'secret') ?? io.env.HOOKWRIGHT_SECRET
  const schemeName = str(parsed, 'scheme')
  let scheme: AnyScheme = unsigned
  if (schemeName !== undefined) scheme = getScheme(schemeName)
  else if (secret && source.provider !== undefined) scheme = providerScheme(source.provider)
  if (scheme !== unsigned && !secret)
    throw new UsageError(
      `--secret is required to sign as ${scheme.name} (or set HOOKWRIGHT_SECRET).`,
    )
  if (scheme === unsigned && secret)
    throw new UsageError('--secret needs --scheme to say how to sign.')

  const json = parsed.values.json === true
  const noDelay = parsed.values['no-delay'] === true
  const verbose = times <= 20
  let started = 0
  let done = 0
  let delivered = 0
  const firstDurations: number[] = []

  const one = async (n: number): Promise<SendResult> => {
    const { body, headers } = payloadFor(source, scheme, secret, to)
    let retries = 0
    return sendWebhook(to, {
      scheme,
      secret: secret || 'unsigned',
      payload: body,
      headers: { ...headers, ...extra },
      retry,
      timeoutMs,
      // Called between attempts: the only moment to tell someone waiting out a long schedule.
      sleep: (ms) => {
        retries++
        if (verbose && !json) {
          const when = noDelay ? 'now (--no-delay)' : `in ${seconds(ms)}`
          io.stdout.write(
            `${prefix(n)}attempt ${retries} got no 2xx; attempt ${retries + 1} ${when}\n`,
          )
        }
        return noDelay ? Promise.resolve() : new Promise((r) => setTimeout(r, ms))
      },
    })
  }
  const prefix = (n: number) => (times > 1 ? `#${n} ` : '')
  const report = (n: number, result: SendResult) => {
    done++
    if (result.ok) delivered++
    if (result.attempts[0]) firstDurations.push(result.attempts[0].durationMs)
    if (json) {
      printJSON(io, {
        n,
        ok: result.ok,
        final: result.final,
        attempts: result.attempts.map((a) => ({
          attempt: a.attempt,
          ...(a.status !== undefined ? { status: a.status } : {}),
          ...(a.error !== undefined ? { error: a.error.code } : {}),
          durationMs: Math.round(a.durationMs),
          delayBeforeMs: a.delayBeforeMs,
        })),
      })
      return
    }
    if (!verbose) return
    for (const a of result.attempts) {
      const outcome = a.status !== undefined ? String(a.status) : `no answer (${a.error?.code})`
      const why = a.status !== undefined && a.status >= 300 ? refusalReason(a.responseText) : ''
      io.stdout.write(
        `${prefix(n)}attempt ${a.attempt} → ${outcome} in ${Math.round(a.durationMs)} ms${why ? `: ${why}` : ''}\n`,
      )
    }
    io.stdout.write(`${prefix(n)}${finalLine(result, retryName)}\n`)
  }

  // Long runs get a progress line a second instead of a line per attempt.
  const progress =
    verbose || json
      ? undefined
      : setInterval(
          () =>
            io.stderr.write(
              `sent ${done}/${times}: ${delivered} delivered, ${done - delivered} failed\n`,
            ),
          1000,
        )
  progress?.unref()
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, times) }, async () => {
        while (started < times) {
          const n = ++started
          report(n, await one(n))
        }
      }),
    )
  } finally {
    if (progress) clearInterval(progress)
  }
  if (times > 1) {
    const sorted = firstDurations.sort((a, b) => a - b)
    const pct = (p: number) =>
      Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0)
    const summary = {
      sent: times,
      delivered,
      failed: times - delivered,
      p50Ms: pct(50),
      p99Ms: pct(99),
    }
    if (json) printJSON(io, { summary })
    else
      io.stdout.write(
        `${times} sent to ${to}: ${delivered} delivered, ${times - delivered} failed; first attempt p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms\n`,
      )
  }
  return delivered === times ? 0 : 1
}

/** How a delivery ended, in words: "exhausted" only where a retry schedule ran out. */
function finalLine(result: SendResult, retryName: string): string {
  const count = result.attempts.length
  const after = count > 1 ? ` after ${count} attempts` : ''
  if (result.final === 'exhausted' && retryName === 'none') {
    return 'not delivered (one attempt: --retry none; pass --retry POLICY to retry)'
  }
  return `${result.final}${after}`
}

/**
 * The receiver's reason for a refusal, from the start of its answer: `{"error":"bad_signature",
 * "message":"…"}` (as hookwright's receiver and many handlers answer) or the first line of text.
 */
export function refusalReason(text: string | undefined): string {
  if (text === undefined) return ''
  const trimmed = text.trim()
  if (trimmed === '') return ''
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>
    if (body !== null && typeof body === 'object') {
      const code = [body.error, body.reason, body.code].find((v) => typeof v === 'string')
      const message = typeof body.message === 'string' ? body.message : undefined
      if (code !== undefined || message !== undefined) {
        return clip([code, message].filter((v) => v !== undefined).join(' — '))
      }
    }
  } catch {
    // Not JSON: the text itself.
  }
  return clip(trimmed.split(/\r?\n/, 1)[0]!)
}

function clip(text: string): string {
  // Control characters from a hostile answer must not steer the terminal.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean
}

async function resolveSource(input: string, io: CliIO): Promise<Source> {
  if (input === '-' || (existsSync(input) && !input.endsWith('.json')))
    return { bytes: await readInput(input, io) }
  if (input.endsWith('.json') && existsSync(input)) {
    // A fixture file (as saveFixture or the inspector writes) is sent as that provider would; any other JSON as is.
    try {
      return { fixture: input, provider: readFixture(input).file.provider }
    } catch {
      return { bytes: await readInput(input, io) }
    }
  }
  // A path that is not there is a missing file, not an unknown fixture name.
  if (input.endsWith('.json') || /^(?:\.{0,2}\/|~)/.test(input)) await readInput(input, io)
  return { fixture: input, provider: readFixture(input).file.provider }
}

function providerScheme(provider: string): AnyScheme {
  const name = providerSchemes[provider as FixtureProvider]?.find((n) => Object.hasOwn(schemes, n))
  if (name === undefined)
    throw new UsageError(`say how to sign ${provider} deliveries with --scheme.`)
  return getScheme(name)
}

function payloadFor(
  source: Source,
  scheme: AnyScheme,
  secret: string | undefined,
  to: string,
): { body: string | Uint8Array; headers: Record<string, string> } {
  if (source.bytes) return { body: new Uint8Array(source.bytes), headers: {} }
  // signedFixture refreshes ids and the provider's delivery headers (with `unsigned`, it signs
  // nothing); sendWebhook signs again per attempt, so signature headers made here are left out.
  const signed = signedFixture(source.fixture! as FixtureName, {
    secret: secret || 'unsigned',
    scheme,
    url: to,
  })
  const headers = Object.fromEntries(
    Object.entries(signed.headers).filter(([k]) => !scheme.headers.includes(k)),
  )
  return { body: signed.body, headers }
}

function seconds(ms: number): string {
  return ms < 1000
    ? `${ms} ms`
    : ms < 120_000
      ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`
      : `${Math.round(ms / 60_000)} min`
}
