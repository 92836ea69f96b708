import { type Delivery, MAX_DECODED_BYTES, peekBody, summarizeDelivery } from '../../delivery.js'
import { HookwrightError } from '../../errors.js'
import { INSPECTOR_PREFIX, inspectorRoute, inspectorUrl } from '../../inspector/route.js'
import { DEFAULT_MAX_BODY_BYTES } from '../../receiver/endpoint.js'
import { isLoopback } from '../../receiver/guard.js'
import { DEFAULT_HEADERS_TIMEOUT } from '../../receiver/limits.js'
import { createReceiver } from '../../receiver/server.js'
import { DEFAULT_MAX_BYTES } from '../../receiver/store.js'
import type { EndpointOptions, Receiver } from '../../receiver/types.js'
import { getScheme, schemeNames, type SchemeName } from '../../schemes/registry.js'
import { type CommandSpec, int, type Parsed, parse, str } from '../args.js'
import { type CliIO, UsageError, printJSON } from '../io.js'
import { openSaveLog, SaveError, type SaveFs, type SaveLog } from '../save.js'

const DEFAULT_PORT = 4400

/** The options, usage and examples of `hookwright listen` (its `--help`). */
export const spec: CommandSpec = {
  name: 'listen',
  summary:
    'Run a receiver: mint a callback URL, show every delivery live in the inspector page, and print one line per delivery.',
  usage:
    'hookwright listen [--port 4400] [--host 127.0.0.1] [--verify NAME --secret S] [--save DIR] [--retain 7d] [--json]',
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
      description:
        'append every delivery to DIR/deliveries-YYYY-MM-DD.ndjson (one file per UTC day) before answering it',
    },
    retain: {
      type: 'string',
      value: 'AGE',
      description:
        'forget deliveries older than AGE (30m, 12h, 7d, …) and delete --save files of days past it',
    },
    max: {
      type: 'string',
      value: 'N',
      description: 'deliveries kept in memory (default 500; oldest dropped first)',
    },
    'max-bytes': {
      type: 'string',
      value: 'BYTES',
      description: `memory for deliveries: bodies, headers and bodies still arriving (default ${DEFAULT_MAX_BYTES}, 256 MiB)`,
    },
    'max-connections': {
      type: 'string',
      value: 'N',
      description:
        'open connections at most (default 1000, or the fd limit less 100); past it the oldest idle one gets 408',
    },
    'headers-timeout': {
      type: 'string',
      value: 'TIME',
      description: 'time a sender has to send its request headers (default 10s; 500ms, 10s, 2m)',
    },
    'request-timeout': {
      type: 'string',
      value: 'TIME',
      description: 'time a sender has to send its whole request (default 30s)',
    },
    'keep-alive-timeout': {
      type: 'string',
      value: 'TIME',
      description: 'time an idle kept-alive connection stays open (default 5s)',
    },
    'no-inspector': { type: 'boolean', description: 'do not serve the inspector page' },
  },
  examples: [
    'hookwright listen',
    'hookwright listen --port 4400 --verify stripe --secret whsec_test --save ./captured --retain 7d',
    'hookwright listen --port 0 --json --control --token ci-token --no-inspector   # a CI side-car',
  ],
}

/** How many summaries may wait for their body to be decoded before the rest skip decoding. */
const MAX_PENDING_PEEKS = 32
/** Characters of the body a summary line shows. */
const PREVIEW_CHARS = 80

/**
 * `hookwright listen`: the receiver as a program. Resolves with 0 once stopped by Ctrl-C,
 * SIGTERM or `io.signal`. `saveFs` replaces node:fs for `--save` (tests make it fail).
 */
export async function run(
  argv: string[],
  io: CliIO,
  { saveFs }: { saveFs?: SaveFs } = {},
): Promise<number> {
  const parsed = parse(argv, spec, io)
  if (!parsed) return 0
  const json = parsed.values.json === true
  const host = str(parsed, 'host') ?? '127.0.0.1'
  const explicitPort = str(parsed, 'port') !== undefined
  const envPort = io.env.HOOKWRIGHT_PORT
  if (!explicitPort && envPort !== undefined) parsed.values.port = envPort
  const port = int(parsed, 'port', DEFAULT_PORT, { max: 65535 })
  const max = int(parsed, 'max', 500, { min: 1 })
  const maxBytes = int(parsed, 'max-bytes', DEFAULT_MAX_BYTES)
  const retain = str(parsed, 'retain')
  const maxAgeMs = retain === undefined ? undefined : parseAge(retain)
  const requestTimeout = duration(parsed, 'request-timeout')
  const headersTimeout = duration(parsed, 'headers-timeout')
  if (
    headersTimeout !== undefined &&
    requestTimeout !== undefined &&
    headersTimeout > requestTimeout
  ) {
    throw new UsageError(
      '--headers-timeout must be at most --request-timeout: the headers are part of the request.',
    )
  }
  const connectionLimits = {
    ...optional('maxConnections', intOrUndefined(parsed, 'max-connections')),
    // A short --request-timeout alone shortens the headers' time with it.
    ...optional(
      'headersTimeout',
      headersTimeout ??
        (requestTimeout === undefined
          ? undefined
          : Math.min(DEFAULT_HEADERS_TIMEOUT, requestTimeout)),
    ),
    ...optional('requestTimeout', requestTimeout),
    ...optional('keepAliveTimeout', duration(parsed, 'keep-alive-timeout')),
  }
  const inspector = parsed.values['no-inspector'] !== true
  const control = inspector || parsed.values.control === true
  const token = str(parsed, 'token') ?? io.env.HOOKWRIGHT_TOKEN
  if (token === '') throw new UsageError('--token must not be empty.')
  const endpointOptions = verifyOptions(
    str(parsed, 'verify'),
    str(parsed, 'secret') ?? io.env.HOOKWRIGHT_SECRET,
  )

  // Opened before the port, so a bad DIR fails fast and no delivery is answered unsaved.
  const saveDir = str(parsed, 'save')
  const saveLog = saveDir === undefined ? undefined : openSave(saveDir, maxAgeMs, saveFs)
  let saveFailing: string | undefined
  // The receiver calls this before it answers, so a delivery is on disk (in the kernel's page
  // cache, which outlives a killed process) before its sender hears back; when it cannot be,
  // the sender is answered 503 and retries, and the next delivery tries the disk again.
  const save =
    saveLog &&
    ((d: Delivery): void => {
      try {
        saveLog.save(d)
      } catch (error) {
        const reason = error instanceof SaveError ? error.message : String(error)
        if (saveFailing === undefined) {
          io.stderr.write(
            `hookwright listen: not saving (${reason}); answering 503 until saving works again.\n`,
          )
        }
        saveFailing = reason
        throw error
      }
      if (saveFailing !== undefined) {
        saveFailing = undefined
        io.stderr.write(`hookwright listen: saving again to ${saveLog.fileFor(d.receivedAt)}.\n`)
      }
    })

  const allowedHosts = parsed.values['allowed-host'] as string[] | undefined
  const options = {
    host,
    maxDeliveries: max,
    maxBytes,
    ...connectionLimits,
    ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
    ...(save ? { save } : {}),
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
    saveLog?.close()
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
        ...(saveLog ? { save: saveLog.fileFor(Date.now()), saveDir: saveLog.dir } : {}),
        maxDeliveries: max,
        maxBytes,
        ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
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
      ...(saveLog
        ? [
            `  Saving to  ${saveLog.fileFor(Date.now())}   (a file per UTC day${retain ? `; days past ${retain} deleted` : ''})`,
          ]
        : []),
      `Keeping the last ${max} deliveries in memory, at most ${formatSize(maxBytes)} of bodies and headers in all` +
        `${retain ? ` and none older than ${retain}` : ''}; bodies over ${formatSize(DEFAULT_MAX_BODY_BYTES)} are answered 413.`,
      `${inspector ? `${receiver.url}${INSPECTOR_PREFIX}new mints another callback. ` : ''}Ctrl-C to stop.`,
      '',
    ]
    io.stdout.write(lines.join('\n'))
  }

  // Summaries of compressed bodies wait for zlib's thread pool to decode their start (and find
  // whether they inflate past the limit); lines still go out in arrival order.
  let printed: Promise<void> = Promise.resolve()
  let pendingPeeks = 0
  receiver.on('delivery', (d: Delivery) => {
    if (json) {
      io.stdout.write(`${JSON.stringify(d.toJSON())}\n`)
      return
    }
    const line = (peek?: Awaited<ReturnType<typeof peekBody>>): string =>
      `${clock(d.receivedAt)} ${summarizeDelivery(d, { bodyChars: PREVIEW_CHARS, ...(peek ? { peek } : {}) })}\n`
    const encoded = d.rawBody.byteLength > 0 && d.header('content-encoding') !== undefined
    if (!encoded && pendingPeeks === 0) {
      io.stdout.write(line())
      return
    }
    const peeking = encoded && pendingPeeks < MAX_PENDING_PEEKS
    let limit = 0
    if (peeking) {
      pendingPeeks++
      const endpoint = d.endpoint === null ? undefined : receiver.getEndpoint(d.endpoint)
      limit = Math.min(endpoint?.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, MAX_DECODED_BYTES)
    }
    // One body decoded at a time: a flood of bombs keeps one thread of the pool busy, not all
    // of them, so the main thread keeps a core to answer senders.
    printed = printed.then(async () => {
      const out = peeking
        ? await peekBody(d, { want: PREVIEW_CHARS * 4 + 4, limit }).then(line, () => line())
        : line()
      if (peeking) pendingPeeks--
      io.stdout.write(out)
    })
  })

  await stop
  await receiver.close()
  await printed
  saveLog?.close()
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

function openSave(dir: string, retainMs: number | undefined, fs: SaveFs | undefined): SaveLog {
  try {
    return openSaveLog(dir, {
      ...(retainMs !== undefined ? { retainMs } : {}),
      ...(fs ? { fs } : {}),
    })
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

const AGE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `--retain`: `90s`, `30m`, `12h`, `7d`. */
function parseAge(value: string): number {
  const m = /^(\d+)([smhd])$/.exec(value)
  const ms = m ? Number(m[1]) * AGE_UNITS[m[2]!]! : NaN
  if (!(ms > 0) || !Number.isSafeInteger(ms)) {
    throw new UsageError(
      `--retain must be an age such as 90s, 30m, 12h or 7d, got ${JSON.stringify(value)}.`,
    )
  }
  return ms
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 }

/** `--headers-timeout` and the like: `500ms`, `10s`, `2m`, or bare milliseconds. */
function duration(parsed: Parsed, name: string): number | undefined {
  const value = str(parsed, name)
  if (value === undefined) return undefined
  const m = /^(\d+)(ms|s|m)?$/.exec(value)
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']! : NaN
  if (!(ms > 0) || !Number.isSafeInteger(ms) || ms > 2 ** 31 - 1) {
    throw new UsageError(
      `--${name} must be a time such as 500ms, 10s or 2m (at most 24 days), got ${JSON.stringify(value)}.`,
    )
  }
  return ms
}

function intOrUndefined(parsed: Parsed, name: string): number | undefined {
  return str(parsed, name) === undefined ? undefined : int(parsed, name, 0, { min: 1 })
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number }
}

/** `256 MiB`, `10 MiB`, `512 KiB`, `100 B`. */
function formatSize(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`
  return `${n} B`
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23)
}
