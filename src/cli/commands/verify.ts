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

/** The options, usage and examples of `hookwright verify` (its `--help`). */
export const spec: CommandSpec = {
  name: 'verify',
  summary: 'Check a body and its headers against a scheme and secret: prints ok or the reason.',
  usage:
    "hookwright verify --scheme NAME --secret SECRET --header 'Name: value' … [--body FILE] < body",
  options: {
    ...schemeOptions,
    header: {
      type: 'string',
      short: 'H',
      multiple: true,
      value: "'K: V'",
      description: 'a request header as received',
    },
    body: {
      type: 'string',
      value: 'FILE',
      description: 'read the body from FILE instead of stdin',
    },
    tolerance: {
      type: 'string',
      value: 'SECONDS',
      description: "timestamp tolerance (default: the provider's)",
    },
    now: { type: 'string', value: 'SECONDS', description: 'check timestamps as of this Unix time' },
    url: {
      type: 'string',
      value: 'URL',
      description: 'the full request URL, for schemes that sign it',
    },
  },
  examples: [
    "hookwright verify --scheme stripe --secret whsec_test -H 'Stripe-Signature: t=1700000000,v1=5257…' < event.json",
  ],
}

/** `hookwright verify`: exit 0 and `ok`, or exit 1 and `<reason>: <message>`. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const { scheme, secret } = schemeAndSecret(parsed, io)
  const headers = headerPairs((parsed.values.header as string[] | undefined) ?? [])
  if (headers.length === 0) {
    throw new UsageError(
      `give the signature header with --header, e.g. --header '${scheme.headers[0] ?? 'name'}: …'.`,
    )
  }
  const tolerance = str(parsed, 'tolerance') === undefined ? undefined : int(parsed, 'tolerance', 0)
  const now = str(parsed, 'now') === undefined ? undefined : int(parsed, 'now', 0, { max: 1e11 })
  const body = await readInput(str(parsed, 'body') ?? '-', io)
  const result = scheme.verify({
    headers,
    body,
    secret,
    ...(tolerance !== undefined ? { tolerance } : {}),
    ...(now !== undefined ? { now } : {}),
    ...(str(parsed, 'url') !== undefined ? { url: str(parsed, 'url') } : {}),
  })
  if (parsed.values.json) printJSON(io, result)
  else if (result.ok) io.stdout.write('ok\n')
  else io.stdout.write(`${result.reason}: ${result.message}\n`)
  return result.ok ? 0 : 1
}
