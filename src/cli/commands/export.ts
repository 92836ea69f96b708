import { writeFile } from 'node:fs/promises'
import type { DeliveryJSON } from '../../delivery.js'
import { connectReceiver } from '../../remote/client.js'
import { type CommandSpec, parse, str, url } from '../args.js'
import { toHar } from '../har.js'
import { type CliIO, UsageError, printJSON } from '../io.js'

/** The options, usage and examples of `hookwright export` (its `--help`). */
export const spec: CommandSpec = {
  name: 'export',
  summary: "Download a running receiver's deliveries (from its control API) as HAR or NDJSON.",
  usage:
    'hookwright export --from URL [--format ndjson|har] [--token T] [--endpoint ID] [--out FILE]',
  options: {
    from: { type: 'string', value: 'URL', description: 'the receiver, e.g. http://127.0.0.1:4400' },
    format: {
      type: 'string',
      value: 'FORMAT',
      description: 'ndjson (default; replayable) or har (devtools, proxies)',
    },
    token: {
      type: 'string',
      value: 'TOKEN',
      description: 'the control token (or HOOKWRIGHT_TOKEN)',
    },
    endpoint: { type: 'string', value: 'ID', description: 'only the deliveries of this callback' },
    out: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'write to FILE instead of stdout',
    },
  },
  examples: [
    'hookwright export --from http://127.0.0.1:4400 --format har --out deliveries.har',
    'hookwright export --from http://127.0.0.1:4400 --token "$HOOKWRIGHT_TOKEN" > deliveries.ndjson',
  ],
}

/** `hookwright export`: every delivery the receiver keeps, oldest first. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const from = url(parsed, 'from', "the receiver's URL, e.g. http://127.0.0.1:4400")
  const format = str(parsed, 'format') ?? 'ndjson'
  if (format !== 'ndjson' && format !== 'har') {
    throw new UsageError(`--format must be ndjson or har, got ${JSON.stringify(format)}.`)
  }
  const token = str(parsed, 'token') ?? io.env.HOOKWRIGHT_TOKEN
  const receiver = await connectReceiver(from, token ? { token } : {})
  let deliveries: DeliveryJSON[]
  try {
    const endpoint = str(parsed, 'endpoint')
    deliveries = receiver.deliveries
      .filter((d) => endpoint === undefined || d.endpoint === endpoint)
      .map((d) => d.toJSON())
  } finally {
    await receiver.close()
  }
  const text =
    format === 'har'
      ? `${JSON.stringify(toHar(deliveries, new URL(receiver.url).origin, receiver.info.version), null, 2)}\n`
      : deliveries.map((d) => `${JSON.stringify(d)}\n`).join('')
  const out = str(parsed, 'out')
  if (out === undefined) {
    io.stdout.write(text)
    return 0
  }
  try {
    await writeFile(out, text)
  } catch (error) {
    throw new UsageError(
      `cannot write ${JSON.stringify(out)} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    )
  }
  if (parsed.values.json) printJSON(io, { exported: deliveries.length, format, out })
  else io.stderr.write(`Exported ${deliveries.length} deliveries to ${out} (${format}).\n`)
  return 0
}
