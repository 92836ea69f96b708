import { stat, writeFile } from 'node:fs/promises'
import pkg from '../../../package.json' with { type: 'json' }
import type { DeliveryJSON } from '../../delivery.js'
import { connectReceiver } from '../../remote/client.js'
import { type CommandSpec, parse, str, url } from '../args.js'
import { toHar } from '../har.js'
import { type CliIO, UsageError, printJSON } from '../io.js'
import { readSavedOrInput } from '../save.js'

/** The options, usage and examples of `hookwright export` (its `--help`). */
export const spec: CommandSpec = {
  name: 'export',
  summary:
    "Download a running receiver's deliveries (from its control API), or a listen --save folder's, as HAR or NDJSON.",
  usage:
    'hookwright export --from URL|DIR [--format ndjson|har] [--token T] [--endpoint ID] [--out FILE]',
  options: {
    from: {
      type: 'string',
      value: 'URL|DIR',
      description: 'the receiver, e.g. http://127.0.0.1:4400, or a folder listen --save wrote',
    },
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
    'hookwright export --from ./captured --format har --out last-week.har   # every day saved there',
  ],
}

/** `hookwright export`: every delivery the receiver keeps, oldest first. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const format = str(parsed, 'format') ?? 'ndjson'
  if (format !== 'ndjson' && format !== 'har') {
    throw new UsageError(`--format must be ndjson or har, got ${JSON.stringify(format)}.`)
  }
  const endpoint = str(parsed, 'endpoint')
  const folder = str(parsed, 'from')
  const isFolder =
    folder !== undefined &&
    !/^https?:/i.test(folder) &&
    (await stat(folder).catch(() => undefined))?.isDirectory() === true
  let deliveries: DeliveryJSON[]
  let origin: string
  let version: string
  if (isFolder) {
    deliveries = savedDeliveries((await readSavedOrInput(folder, io)).toString('utf8'), folder)
    deliveries = deliveries.filter((d) => endpoint === undefined || d.endpoint === endpoint)
    origin = 'http://127.0.0.1'
    version = pkg.version
  } else {
    const from = url(parsed, 'from', "the receiver's URL, e.g. http://127.0.0.1:4400")
    const token = str(parsed, 'token') ?? io.env.HOOKWRIGHT_TOKEN
    const receiver = await connectReceiver(from, token ? { token } : {})
    try {
      deliveries = receiver.deliveries
        .filter((d) => endpoint === undefined || d.endpoint === endpoint)
        .map((d) => d.toJSON())
    } finally {
      await receiver.close()
    }
    origin = new URL(receiver.url).origin
    version = receiver.info.version
  }
  const text =
    format === 'har'
      ? `${JSON.stringify(toHar(deliveries, origin, version), null, 2)}\n`
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

/** The deliveries of a `--save` folder's NDJSON, oldest first; a line that is not one is named. */
function savedDeliveries(text: string, source: string): DeliveryJSON[] {
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return []
    try {
      const d = JSON.parse(line) as DeliveryJSON
      if (typeof d.method === 'string' && typeof d.rawBody === 'string') return [d]
    } catch {
      // Named below.
    }
    throw new UsageError(`${source}: line ${i + 1} of the saved files is not a delivery.`)
  })
}
