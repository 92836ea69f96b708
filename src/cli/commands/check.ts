import { performance } from 'node:perf_hooks'
import { checkReceiver, type CheckReceiverOptions } from '../../attacks/check.js'
import { reportToJUnit } from '../../attacks/junit.js'
import type { Payload } from '../../schemes/types.js'
import { loadUndici } from '../../undici.js'
import {
  type CommandSpec,
  headerPairs,
  int,
  parse,
  schemeAndSecret,
  schemeOptions,
  str,
} from '../args.js'
import { type CliIO, UsageError, printJSON, readInput } from '../io.js'

const formats = ['text', 'json', 'junit'] as const

/** The options, usage and examples of `hookwright check` (its `--help`). */
export const spec: CommandSpec = {
  name: 'check',
  summary:
    'Check a running receiver, in any language, against the receiver pattern: signatures, duplicates, retries, order, answer time, limits.',
  usage:
    'hookwright check <url> --scheme NAME --secret S [--payload FILE] [--only CASES] [--skip CASES] [--format text|json|junit]',
  maxPositionals: 1,
  options: {
    ...schemeOptions,
    payload: {
      type: 'string',
      value: 'FILE',
      description: 'the event to sign (JSON, or any bytes); default a small event with an id',
    },
    only: {
      type: 'string',
      value: 'CASES',
      description: `comma-separated case or group names (${['signature', 'idempotency', 'timing', 'robustness'].join(', ')})`,
    },
    skip: {
      type: 'string',
      value: 'CASES',
      description: 'comma-separated cases or groups to leave out',
    },
    format: {
      type: 'string',
      value: 'FORMAT',
      description: 'text (default), json or junit (XML for CI test reports)',
    },
    'processed-url': {
      type: 'string',
      value: 'URL',
      description:
        'GET it for how many events the app has processed (a number, or JSON {"processed": n}): lets duplicates answered 2xx pass',
    },
    'answer-time-limit': {
      type: 'string',
      value: 'MS',
      description: "answer-time's limit (default the provider's documented timeout)",
    },
    concurrency: {
      type: 'string',
      value: 'N',
      description: 'concurrent-duplicates: copies at once (default 5)',
    },
    burst: {
      type: 'string',
      value: 'N',
      description: 'answer-time: deliveries at once (default 20)',
    },
    'max-body': {
      type: 'string',
      value: 'BYTES',
      description:
        "oversized-body: the provider's maximum (default its documented one, else 1 MiB)",
    },
    tolerance: {
      type: 'string',
      value: 'SECONDS',
      description: "the receiver's timestamp tolerance (default the provider's)",
    },
    timeout: {
      type: 'string',
      value: 'MS',
      description: 'per-request timeout in milliseconds (default 10000)',
    },
    header: {
      type: 'string',
      short: 'H',
      multiple: true,
      value: "'K: V'",
      description: 'an extra header on every request',
    },
  },
  examples: [
    'hookwright check http://127.0.0.1:8000/webhooks/stripe --scheme stripe --secret whsec_test',
    'hookwright check http://127.0.0.1:3000/hooks --scheme github --secret s3cret --payload push.json --format junit > hookwright.xml',
    'hookwright check http://127.0.0.1:8000/webhooks/stripe --scheme stripe --secret whsec_test --processed-url http://127.0.0.1:8000/test/processed --only idempotency,timing',
  ],
}

/** `hookwright check`: exit 0 when every case is answered as expected, 1 when any is not. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const target = parsed.positionals[0]
  if (target === undefined) {
    throw new UsageError('give the receiver URL: hookwright check <url> --scheme NAME --secret S.')
  }
  const { scheme, secret } = schemeAndSecret(parsed, io)
  const format = str(parsed, 'format') ?? (parsed.values.json ? 'json' : 'text')
  if (!(formats as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format must be one of ${formats.join(', ')}, got ${JSON.stringify(format)}.`,
    )
  }
  const payloadFile = str(parsed, 'payload')
  const payload: Payload =
    payloadFile === undefined ? defaultPayload() : asPayload(await readInput(payloadFile, io))
  const list = (name: string) =>
    str(parsed, name)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const options: CheckReceiverOptions = {
    scheme,
    secret,
    payload,
    headers: Object.fromEntries(headerPairs((parsed.values.header as string[] | undefined) ?? [])),
    timeoutMs: int(parsed, 'timeout', 10_000, { min: 1, max: 600_000 }),
  }
  const only = list('only')
  const skip = list('skip')
  if (only) options.only = only
  if (skip) options.skip = skip
  if (str(parsed, 'answer-time-limit') !== undefined) {
    options.answerTimeLimitMs = int(parsed, 'answer-time-limit', 0, { min: 1, max: 600_000 })
  }
  if (str(parsed, 'concurrency') !== undefined) {
    options.concurrency = int(parsed, 'concurrency', 5, { min: 2, max: 100 })
  }
  if (str(parsed, 'burst') !== undefined)
    options.burst = int(parsed, 'burst', 20, { min: 1, max: 200 })
  if (str(parsed, 'max-body') !== undefined) {
    options.maxBodyBytes = int(parsed, 'max-body', 0, { min: 1, max: 256 * 1024 * 1024 })
  }
  if (str(parsed, 'tolerance') !== undefined) options.tolerance = int(parsed, 'tolerance', 0)
  const processedUrl = str(parsed, 'processed-url')
  if (processedUrl !== undefined) {
    if (!URL.canParse(processedUrl) || !/^https?:/.test(processedUrl)) {
      throw new UsageError(
        `--processed-url must be an http(s) URL, got ${JSON.stringify(processedUrl)}.`,
      )
    }
    options.processedCount = () => readCount(processedUrl)
  }

  const started = performance.now()
  const report = await checkReceiver(target, options)
  const timeMs = performance.now() - started
  if (format === 'junit') io.stdout.write(reportToJUnit(report, { timeMs }))
  else if (format === 'json') {
    printJSON(io, {
      ok: report.ok,
      url: report.url,
      scheme: report.scheme,
      failed: report.failed.map((r) => r.name),
      results: report.results,
      skipped: report.skipped,
    })
  } else io.stdout.write(`${report.summary}\n`)
  return report.ok ? 0 : 1
}

/** A small event with the fields receivers key on: an `id`, a `type`, a time and `data`. */
function defaultPayload(): Payload {
  return {
    id: `evt_hookwright_${Date.now().toString(36)}`,
    object: 'event',
    type: 'hookwright.check',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'obj_hookwright_check', object: 'check' } },
  }
}

function asPayload(bytes: Buffer): Payload {
  try {
    return JSON.parse(bytes.toString('utf8')) as Payload
  } catch {
    return new Uint8Array(bytes)
  }
}

/** The app's processed count, read from its test endpoint (a number, or `{ processed: n }`). */
async function readCount(url: string): Promise<number> {
  const { request } = await loadUndici()
  const res = await request(url, { method: 'GET' })
  // A count is a few bytes: read no more than 64 kB of whatever comes back.
  let text = ''
  for await (const chunk of res.body) {
    text += Buffer.from(chunk as Uint8Array).toString('utf8')
    if (text.length > 65_536) break
  }
  res.body.destroy()
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  const object = value as { processed?: unknown; count?: unknown } | undefined
  const n = typeof value === 'number' ? value : (object?.processed ?? object?.count)
  if (res.statusCode !== 200 || typeof n !== 'number') {
    throw new UsageError(
      `--processed-url ${url} answered ${res.statusCode} ${JSON.stringify(text.slice(0, 80))}: expected a number or {"processed": n}.`,
    )
  }
  return n
}
