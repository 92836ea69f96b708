import {
  type CommandSpec,
  parse,
  schemeAndSecret,
  schemeOptions,
  shellQuote,
  str,
  url,
} from '../args.js'
import { type CliIO, UsageError, printJSON, readInput } from '../io.js'

/** The options, usage and examples of `hookwright sign` (its `--help`). */
export const spec: CommandSpec = {
  name: 'sign',
  summary: 'Sign a body as a provider would and print the headers, or a complete curl command.',
  usage: 'hookwright sign <file|-> --scheme NAME --secret SECRET [--curl --to URL] [--json]',
  maxPositionals: 1,
  options: {
    ...schemeOptions,
    curl: { type: 'boolean', description: 'print a curl command that sends the signed body' },
    to: {
      type: 'string',
      value: 'URL',
      description: 'where the curl command sends it (with --curl)',
    },
    timestamp: {
      type: 'string',
      value: 'SECONDS',
      description: 'sign as of this Unix time (default now)',
    },
    id: { type: 'string', value: 'ID', description: 'message id, for schemes that sign one' },
    'content-type': {
      type: 'string',
      value: 'TYPE',
      description: 'Content-Type for --curl (default: application/json if the body is JSON)',
    },
  },
  examples: [
    'hookwright sign event.json --scheme stripe --secret whsec_test',
    'hookwright sign event.json --scheme stripe --secret whsec_test --curl --to http://127.0.0.1:4400/h/abc | sh',
  ],
}

/** `hookwright sign`: the body's bytes are signed exactly as read, never re-serialised. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const source = parsed.positionals[0]
  if (source === undefined) throw new UsageError('give the body to sign: a file, or - for stdin.')
  const { scheme, secret } = schemeAndSecret(parsed, io)
  const curl = parsed.values.curl === true
  const to = curl ? url(parsed, 'to', 'the URL the curl command posts to') : str(parsed, 'to')
  const timestamp = str(parsed, 'timestamp')
  if (timestamp !== undefined && !/^\d{1,12}$/.test(timestamp)) {
    throw new UsageError(`--timestamp must be Unix seconds, got ${JSON.stringify(timestamp)}.`)
  }
  const body = await readInput(source, io)
  const signed = scheme.sign({
    payload: new Uint8Array(body),
    secret,
    ...(timestamp !== undefined ? { timestamp: Number(timestamp) } : {}),
    ...(str(parsed, 'id') !== undefined ? { id: str(parsed, 'id') } : {}),
    ...(to !== undefined ? { url: to } : {}),
  })
  const command = curl
    ? curlCommand(to!, signed.headers, body, source, str(parsed, 'content-type'))
    : undefined
  if (parsed.values.json) {
    printJSON(io, {
      scheme: scheme.name,
      headers: signed.headers,
      ...(command ? { curl: command } : {}),
    })
  } else if (command) {
    io.stdout.write(`${command}\n`)
  } else {
    for (const [name, value] of Object.entries(signed.headers))
      io.stdout.write(`${name}: ${value}\n`)
  }
  return 0
}

function curlCommand(
  to: string,
  headers: Record<string, string>,
  body: Buffer,
  source: string,
  contentType: string | undefined,
): string {
  const text = body.toString('utf8')
  const isText = Buffer.from(text, 'utf8').equals(body) && !text.includes('\0')
  const type = contentType ?? (isText && isJSON(text) ? 'application/json' : undefined)
  const parts = ['curl', '-sS', '-X', 'POST', shellQuote(to)]
  if (type) parts.push('-H', shellQuote(`content-type: ${type}`))
  for (const [name, value] of Object.entries(headers))
    parts.push('-H', shellQuote(`${name}: ${value}`))
  if (isText) {
    // --data-raw sends the text as is: --data-binary would read a file for a body starting with @.
    parts.push('--data-raw', shellQuote(text))
  } else if (source !== '-') {
    // Binary bytes do not survive a shell argument; point curl at the file that was signed.
    parts.push('--data-binary', shellQuote(`@${source}`))
  } else {
    throw new UsageError(
      'a binary body from stdin cannot go into a curl command: sign a file instead.',
    )
  }
  return parts.join(' ')
}

function isJSON(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
