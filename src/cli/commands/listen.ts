import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Delivery, summarizeDelivery } from '../../delivery.js'
import { HookwrightError } from '../../errors.js'
import { INSPECTOR_PREFIX, inspectorRoute, inspectorUrl } from '../../inspector/route.js'
import { isLoopback } from '../../receiver/guard.js'
import { createReceiver } from '../../receiver/server.js'
import type { EndpointOptions, Receiver } from '../../receiver/types.js'
import { getScheme, schemeNames, type SchemeName } from '../../schemes/registry.js'
import { type CommandSpec, int, parse, str } from '../args.js'
import { type CliIO, UsageError, printJSON } from '../io.js'

const DEFAULT_PORT = 4400

/** The options, usage and examples of `hookwright listen` (its `--help`). */
export const spec: CommandSpec = {
  name: 'listen',
  summary:
    'Run a receiver: mint a callback URL, show every delivery live in the inspector page, and print one line per delivery.',
  usage:
    'hookwright listen [--port 4400] [--host 127.0.0.1] [--verify NAME --secret S] [--save DIR] [--json]',
  options: {
    port: {
      type: 'string',
      short: 'p',
      value: 'PORT',
      description: `port (default HOOKWRIGHT_PORT or ${DEFAULT_PORT}; a free one if that is taken)`,
    },
    host: {
      type: 'string',
      value: 'HOST',
      description: 'interface to bind (default 127.0.0.1: this machine only)',
    },
    verify: {
      type: 'string',
      value: 'NAME',
      description: `check signatures on the callback: ${schemeNames.join(', ')}`,
    },
    secret: {
      type: 'string',
      value: 'SECRET',
      description: 'secret for --verify (or set HOOKWRIGHT_SECRET)',
    },
    'allowed-host': {
      type: 'string',
      multiple: true,
      value: 'NAME',
      description:
        'a host name (besides localhost, 127.0.0.1, [::1]) that may open the inspector and control API',
    },
    control: {
      type: 'boolean',
      description: 'serve the control API under /_hookwright/ (on whenever the inspector is)',
    },
    token: {
      type: 'string',
      value: 'TOKEN',
      description: 'require this token for the control API and the page (or HOOKWRIGHT_TOKEN)',
    },
    save: {
      type: 'string',
      value: 'DIR',
      description: 'append every delivery to DIR/deliveries.ndjson as it arrives',
    },
    max: {
      type: 'string',
      value: 'N',
      description: 'deliveries kept in memory (default 500; oldest dropped first)',
    },
    'no-inspector': { type: 'boolean', description: 'do not serve the inspector page' },
  },
  examples: [
    'hookwright listen',
    'hookwright listen --port 4400 --verify stripe --secret whsec_test --save ./captured',
    'hookwright listen --port 0 --json --control --token ci-token --no-inspector   # a CI side-car',
  ],
}

/**
 * `hookwright listen`: the receiver as a program. Resolves with 0 once stopped by Ctrl-C,
 * SIGTERM or `io.signal`.
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const json = parsed.values.json === true
  const host = str(parsed, 'host') ?? '127.0.0.1'
  const explicitPort = str(parsed, 'port') !== undefined
  const envPort = io.env.HOOKWRIGHT_PORT
  if (!explicitPort && envPort !== undefined) parsed.values.port = envPort
  const port = int(parsed, 'port', DEFAULT_PORT, { max: 65535 })
  const max = int(parsed, 'max', 500, { min: 1 })
  const inspector = parsed.values['no-inspector'] !== true
  const control = inspector || parsed.values.control === true
  const token = str(parsed, 'token') ?? io.env.HOOKWRIGHT_TOKEN
  if (token === '') throw new UsageError('--token must not be empty.')
  const endpointOptions = verifyOptions(
    str(parsed, 'verify'),
    str(parsed, 'secret') ?? io.env.HOOKWRIGHT_SECRET,
  )

  // Opened before the port, so a bad DIR fails fast and no delivery is answered unsaved.
  const savePath = str(parsed, 'save') === undefined ? undefined : openSave(str(parsed, 'save')!)
  const fd = savePath === undefined ? undefined : openSync(savePath, 'a')

  const allowedHosts = parsed.values['allowed-host'] as string[] | undefined
  const options = {
    host,
    maxDeliveries: max,
    ...(allowedHosts ? { allowedHosts } : {}),
    ...(control ? { control: token === undefined ? true : { token } } : {}),
    ...(inspector
      ? {
          routes: [
            inspectorRoute({
              endpoint: endpointOptions,
              ...(token !== undefined ? { token } : {}),
            }),
          ],
        }
      : {}),
  }
  let receiver: Receiver
  try {
    receiver = await listenWithFallback(options, port, explicitPort, io)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    throw error
  }

  if (!isLoopback(host)) {
    io.stderr.write(
      `warning: bound to ${host}: other machines can send to this receiver` +
        (control && token === undefined ? ' and use its control API (set --token)' : '') +
        '.\n',
    )
  }

  // Listening for Ctrl-C before anything is printed: a user (or script) may stop us right away.
  const stop = stopped(io)
  const callback = receiver.endpoint(endpointOptions)
  // The token is never printed (logs keep it): whoever chose it adds it to the page's #fragment.
  const inspectorLink = inspector ? inspectorUrl(receiver, callback.id) : undefined
  const tryLine = endpointOptions.verify
    ? `echo '{"hello":"world"}' | npx hookwright sign - --scheme ${endpointOptions.verify.scheme as string} --curl --to ${callback.url} | sh   # with HOOKWRIGHT_SECRET set`
    : `curl -sS -X POST ${callback.url} -H 'content-type: application/json' -d '{"hello":"world"}'`
  if (json) {
    printJSON(io, {
      listening: {
        url: receiver.url,
        callback: callback.url,
        endpoint: callback.id,
        ...(inspectorLink ? { inspector: inspectorLink } : {}),
        ...(control ? { control: `${receiver.url}/_hookwright/` } : {}),
        ...(savePath ? { save: savePath } : {}),
        maxDeliveries: max,
      },
    })
  } else {
    const lines = [
      `hookwright listening on ${receiver.url}`,
      ...(inspectorLink
        ? [`  Inspector  ${inspectorLink}${token ? '#token=<your --token>' : ''}`]
        : []),
      `  Callback   ${callback.url}${endpointOptions.verify ? `   (checks ${endpointOptions.verify.scheme as string} signatures)` : ''}`,
      `  Try        ${tryLine}`,
      ...(control
        ? [`  Control    ${receiver.url}/_hookwright/${token ? '   (needs the token)' : ''}`]
        : []),
      ...(savePath ? [`  Saving to  ${savePath}`] : []),
      `Keeping the last ${max} deliveries in memory${inspector ? `; ${receiver.url}${INSPECTOR_PREFIX}new mints another callback` : ''}. Ctrl-C to stop.`,
      '',
    ]
    io.stdout.write(lines.join('\n'))
  }

  // The receiver calls this before it writes the response, so a delivery is on disk (in the
  // kernel's page cache, which outlives a killed process) before its sender hears back.
  receiver.on('delivery', (d: Delivery) => {
    const line = JSON.stringify(d.toJSON())
    if (fd !== undefined) writeSync(fd, `${line}\n`)
    io.stdout.write(json ? `${line}\n` : `${clock(d.receivedAt)} ${summarizeDelivery(d)}\n`)
  })

  await stop
  await receiver.close()
  if (fd !== undefined) closeSync(fd)
  if (!json) io.stderr.write('hookwright listen: stopped.\n')
  return 0
}

function verifyOptions(scheme: string | undefined, secret: string | undefined): EndpointOptions {
  if (scheme === undefined) return {}
  // Checked here, so an unknown name fails before a port is opened; the name is kept for the banner.
  getScheme(scheme)
  if (!secret) throw new UsageError('--verify needs --secret (or set HOOKWRIGHT_SECRET).')
  return { verify: { scheme: scheme as SchemeName, secret }, name: 'listen' }
}

function openSave(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true })
    const path = resolve(join(dir, 'deliveries.ndjson'))
    closeSync(openSync(path, 'a'))
    return path
  } catch (error) {
    throw new UsageError(
      `cannot write to --save ${JSON.stringify(dir)} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    )
  }
}

async function listenWithFallback(
  options: Parameters<typeof createReceiver>[0] & object,
  port: number,
  explicit: boolean,
  io: CliIO,
): Promise<Receiver> {
  try {
    return await createReceiver({ ...options, port })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' && !explicit) {
      const receiver = await createReceiver({ ...options, port: 0 })
      io.stderr.write(
        `Port ${port} is in use; listening on ${receiver.port} instead (choose one with --port).\n`,
      )
      return receiver
    }
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new HookwrightError(
        'HOOKWRIGHT_INVALID_OPTION',
        `cannot listen on ${options.host}:${port} (${code}): choose another --port or --host.`,
      )
    }
    throw error
  }
}

/** Resolves on Ctrl-C, SIGTERM or the io's abort signal. */
function stopped(io: CliIO): Promise<void> {
  return new Promise((resolvePromise) => {
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      io.signal?.removeEventListener('abort', done)
      resolvePromise()
    }
    process.on('SIGINT', done)
    process.on('SIGTERM', done)
    if (io.signal?.aborted) done()
    else io.signal?.addEventListener('abort', done)
  })
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23)
}
