import { type FixtureName, encodeBody, fixture, listFixtures } from '../../fixtures/index.js'
import { readFixture } from '../../fixtures/load.js'
import { type CommandSpec, parse, str } from '../args.js'
import { type CliIO, UsageError, printJSON } from '../io.js'

/** The options, usage and examples of `hookwright fixtures` (its `--help`). */
export const spec: CommandSpec = {
  name: 'fixtures',
  summary: 'List the provider payloads hookwright ships, or show one as it would be sent.',
  usage: 'hookwright fixtures [list [--provider NAME] | show NAME] [--json]',
  maxPositionals: 2,
  options: {
    provider: {
      type: 'string',
      value: 'NAME',
      description: 'only this provider (stripe, github, …)',
    },
  },
  examples: [
    'hookwright fixtures list --provider stripe',
    'hookwright fixtures show stripe/invoice.paid',
    'hookwright send stripe/invoice.paid --to http://127.0.0.1:3000/webhooks --secret whsec_test',
  ],
}

/** `hookwright fixtures`: `list` (the default) or `show NAME` with fresh ids and times. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const [action = 'list', name] = parsed.positionals
  const json = parsed.values.json === true
  if (action === 'list') {
    if (name !== undefined)
      throw new UsageError(`unexpected argument ${JSON.stringify(name)} after list.`)
    const provider = str(parsed, 'provider')
    const all = listFixtures()
    const shown = provider === undefined ? all : all.filter((f) => f.provider === provider)
    if (shown.length === 0) {
      const providers = [...new Set(all.map((f) => f.provider))]
      throw new UsageError(
        `no fixtures for provider ${JSON.stringify(provider)}. Providers: ${providers.join(', ')}.`,
      )
    }
    if (json) for (const f of shown) printJSON(io, f)
    else {
      const width = Math.max(...shown.map((f) => f.name.length)) + 2
      for (const f of shown) io.stdout.write(`${f.name.padEnd(width)}${f.description}\n`)
    }
    return 0
  }
  if (action !== 'show')
    throw new UsageError(`unknown action ${JSON.stringify(action)}: use list or show NAME.`)
  if (name === undefined)
    throw new UsageError('give the fixture to show, e.g. show stripe/invoice.paid.')
  const { file } = readFixture(name)
  // A name or a path: the overloads want one or the other, the CLI takes both.
  const payload: unknown = fixture(name as FixtureName)
  if (json) {
    printJSON(io, { name, ...file, payload })
    return 0
  }
  io.stdout.write(`# ${file.provider} ${file.event}: ${file.description}\n`)
  for (const [header, value] of Object.entries(file.headers))
    io.stdout.write(`${header}: ${value}\n`)
  const body = encodeBody(file, payload)
  io.stdout.write(
    `\n${file.contentType.startsWith('application/json') ? JSON.stringify(payload, null, 2) : body}\n`,
  )
  return 0
}
