import { readFile } from 'node:fs/promises'
import { HookwrightError } from '../errors.js'

/**
 * Where a command reads and writes. The bin passes the process's streams; tests pass buffers,
 * so every command runs in-process exactly as it does from a shell.
 */
export interface CliIO {
  stdout: { write(chunk: string): unknown }
  stderr: { write(chunk: string): unknown }
  /** Read only when a command is given `-` (or a body on stdin for `verify`). */
  stdin: AsyncIterable<Uint8Array | string>
  env: Record<string, string | undefined>
  /** Aborting it stops a long-running command (`listen`) the way Ctrl-C does. */
  signal?: AbortSignal
}

/** The process's own streams, for the bin. */
export function processIO(): CliIO {
  // `hookwright fixtures list | head`: a closed pipe ends the program quietly, as in other CLIs.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(0)
  })
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }
}

/** Misuse from the command line: a one-line reason, exit code 2. */
export class UsageError extends HookwrightError {
  constructor(message: string) {
    super('HOOKWRIGHT_INVALID_OPTION', message)
    this.name = 'UsageError'
  }
}

/** Reads all of stdin as bytes. */
export async function readStdin(io: CliIO): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

/** The bytes of a file, or of stdin for `-`; an unreadable file is a usage error naming it. */
export async function readInput(source: string, io: CliIO): Promise<Buffer> {
  if (source === '-') return readStdin(io)
  try {
    return await readFile(source)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new UsageError(`cannot read ${JSON.stringify(source)} (${code}).`)
  }
}

/** Prints one line of JSON (NDJSON), the `--json` output of every command. */
export function printJSON(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`)
}
