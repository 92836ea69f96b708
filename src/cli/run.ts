import { readFile } from 'node:fs/promises'
import { HookwrightError } from '../errors.js'
import { didYouMean } from '../suggest.js'
import { type CliIO, printJSON } from './io.js'
import * as listen from './commands/listen.js'
import * as send from './commands/send.js'
import * as sign from './commands/sign.js'
import * as verify from './commands/verify.js'
import * as replay from './commands/replay.js'
import * as exportCommand from './commands/export.js'
import * as fixtures from './commands/fixtures.js'
import * as check from './commands/check.js'

type CommandModule = { run(argv: string[], io: CliIO): Promise<number> }

// Static imports: the bin is one file (tsup would otherwise scatter command chunks into dist/).
const commands: Record<string, { summary: string; module: CommandModule }> = {
  listen: {
    summary: 'run a receiver with a live inspector page; print every delivery',
    module: listen,
  },
  send: {
    summary: 'sign and deliver a fixture or file, with retries and load',
    module: send,
  },
  sign: {
    summary: 'print the signature headers (or a curl command) for a body',
    module: sign,
  },
  verify: {
    summary: 'check a body and its headers against a scheme and secret',
    module: verify,
  },
  replay: {
    summary: 're-send captured deliveries (NDJSON or HAR), re-signed on request',
    module: replay,
  },
  export: {
    summary: "download a running receiver's deliveries as HAR or NDJSON",
    module: exportCommand,
  },
  fixtures: {
    summary: 'list the bundled provider payloads or show one',
    module: fixtures,
  },
  check: {
    summary: 'check a running receiver (any language) against the receiver pattern',
    module: check,
  },
}

const usage = () =>
  [
    'hookwright: a webhook workbench — receive, inspect, sign, verify, send and replay webhooks.',
    '',
    'Usage: hookwright <command> [options]    (hookwright <command> --help for its options)',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`),
    '',
    'Example:',
    '  $ hookwright listen --verify stripe --secret whsec_test',
    '',
  ].join('\n')

/** Misuse exits 2 (fix the command line); a failure of what was asked exits 1. */
const usageCodes = new Set([
  'HOOKWRIGHT_INVALID_OPTION',
  'HOOKWRIGHT_UNKNOWN_SCHEME',
  'HOOKWRIGHT_MISSING_SECRET',
  'HOOKWRIGHT_FIXTURE_NOT_FOUND',
  'HOOKWRIGHT_FIXTURE_INVALID',
  'HOOKWRIGHT_INVALID_BODY',
])

/**
 * Runs `hookwright <command> …` and resolves with the exit code. Errors become one line on
 * stderr (and `{"error":…}` on stdout with `--json`), never a stack trace.
 *
 * @example
 * const code = await main(['verify', '--scheme', 'stripe', '--header', h], processIO())
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v') {
    // src/cli/run.ts and dist/cli/main.js both sit two levels below package.json.
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))
    io.stdout.write(`${pkg.version}\n`)
    return 0
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!command) {
    io.stderr.write(
      `hookwright: unknown command ${JSON.stringify(name)}.${didYouMean(name, Object.keys(commands), (c) => `\`hookwright ${c}\``)} Commands: ${Object.keys(commands).join(', ')}.\n`,
    )
    return 2
  }
  try {
    return await command.module.run(rest, io)
  } catch (error) {
    const known = error instanceof HookwrightError
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/\s*\n\s*/g, ' ')
      // Library messages point at library calls; on the command line, point at the command.
      .replace(/listFixtures\(\) lists all (\d+)\./, '`hookwright fixtures` lists all $1.')
      .replace(
        /pass connectReceiver\(url, \{ token \}\)\./,
        'pass --token or set HOOKWRIGHT_TOKEN.',
      )
      .replace(
        /the control token given to connectReceiver/,
        'the control token (--token or HOOKWRIGHT_TOKEN)',
      )
    io.stderr.write(`hookwright ${name}: ${message}\n`)
    if (rest.includes('--json')) {
      printJSON(io, { error: { code: known ? error.code : 'HOOKWRIGHT_ERROR', message } })
    }
    return known && usageCodes.has(error.code) ? 2 : 1
  }
}
