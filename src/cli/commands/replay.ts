import { resend, resendHeaders } from '../../inspector/resend.js'
import type { AnyScheme } from '../../schemes/types.js'
import { type CommandSpec, parse, schemeAndSecret, schemeOptions, url } from '../args.js'
import { readCaptures } from '../har.js'
import { type CliIO, UsageError, printJSON } from '../io.js'
import { readSavedOrInput } from '../save.js'

/** The options, usage and examples of `hookwright replay` (its `--help`). */
export const spec: CommandSpec = {
  name: 'replay',
  summary:
    'Re-send captured deliveries (NDJSON from listen --save or export, a --save folder, or a HAR file) to a URL, byte for byte or re-signed.',
  usage:
    'hookwright replay <file.ndjson|DIR|file.har|-> --to URL [--resign --scheme NAME --secret SECRET] [--json]',
  maxPositionals: 1,
  options: {
    to: {
      type: 'string',
      value: 'URL',
      description: 'where to send them (every capture goes to this URL)',
    },
    resign: {
      type: 'boolean',
      description:
        'replace the captured signature with a fresh one from --scheme and --secret (a test secret)',
    },
    ...schemeOptions,
  },
  examples: [
    'hookwright replay captured/deliveries-2026-05-01.ndjson --to http://127.0.0.1:3000/webhooks/stripe',
    'hookwright replay captured --to http://127.0.0.1:3000/webhooks/stripe   # every day saved in the folder',
    'hookwright replay smee.har --to http://127.0.0.1:3000/webhooks --resign --scheme github --secret test-secret',
  ],
}

/** `hookwright replay`: exits 1 if any request got no 2xx answer. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const source = parsed.positionals[0]
  if (source === undefined)
    throw new UsageError('give the captures to replay: an NDJSON or HAR file, or - for stdin.')
  const to = url(parsed, 'to', 'where to send the captured deliveries')
  let signer: { scheme: AnyScheme; secret: string } | undefined
  if (parsed.values.resign) signer = schemeAndSecret(parsed, io)
  else if (parsed.values.scheme !== undefined)
    throw new UsageError('--scheme only applies with --resign.')
  const captures = readCaptures(
    (await readSavedOrInput(source, io)).toString('utf8'),
    source === '-' ? 'stdin' : source,
  )
  let failed = 0
  for (const [i, capture] of captures.entries()) {
    const headers = resendHeaders(capture.headers, signer ? signer.scheme.headers : [])
    if (signer) {
      const signed = signer.scheme.sign({ payload: capture.body, secret: signer.secret, url: to })
      for (const [name, value] of Object.entries(signed.headers))
        headers[name.toLowerCase()] = value
    }
    const outcome = await resend(
      { method: capture.method, headers: capture.headers, body: capture.body },
      to,
      { headers },
    )
    const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300
    if (!ok) failed++
    const durationMs = Math.round(outcome.durationMs)
    if (parsed.values.json) {
      printJSON(io, {
        id: capture.id,
        method: capture.method,
        to,
        ...(outcome.status !== undefined ? { status: outcome.status } : { error: outcome.error }),
        durationMs,
      })
    } else {
      const result =
        outcome.status !== undefined ? String(outcome.status) : `failed (${outcome.error?.code})`
      io.stdout.write(
        `${i + 1}/${captures.length} ${capture.method} ${capture.target} (${capture.id})${signer ? ' re-signed' : ''} → ${result} in ${durationMs} ms\n`,
      )
    }
  }
  if (!parsed.values.json) {
    io.stderr.write(
      `Replayed ${captures.length} to ${to}: ${captures.length - failed} answered 2xx, ${failed} did not.\n`,
    )
  }
  return failed === 0 ? 0 : 1
}
