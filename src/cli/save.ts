import * as nodeFs from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Delivery } from '../delivery.js'
import { type CliIO, UsageError, readInput } from './io.js'

/** The file calls the save log makes: node:fs by default, a failing one in tests. */
export interface SaveFs {
  openSync(path: string, flags: string): number
  fstatSync(fd: number): { size: number }
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number
  ftruncateSync(fd: number, length: number): void
  closeSync(fd: number): void
  readdirSync(path: string): string[]
  unlinkSync(path: string): void
  mkdirSync(path: string, options: { recursive: true }): unknown
}

/** Why a delivery was not saved: the system's error code (`ENOSPC`, …) and its message. */
export class SaveError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'SaveError'
  }
}

/** `listen --save DIR`: deliveries appended one JSON line each, a file per UTC day. */
export interface SaveLog {
  /** The folder, absolute. */
  readonly dir: string
  /** The file today's deliveries go to (`DIR/deliveries-YYYY-MM-DD.ndjson`). */
  fileFor(receivedAt: number): string
  /** Appends the delivery as one whole line, or nothing; throws `SaveError` if it cannot. */
  save(delivery: Delivery): void
  close(): void
}

const DAY_MS = 24 * 60 * 60 * 1000
const FILE = /^deliveries-(\d{4}-\d\d-\d\d)\.ndjson$/

/**
 * Opens the save folder (made if missing). With `retainMs`, files of days that ended longer
 * ago than that are deleted now and whenever a new day's file is started.
 */
export function openSaveLog(
  dir: string,
  { retainMs, fs = nodeFs as unknown as SaveFs }: { retainMs?: number; fs?: SaveFs } = {},
): SaveLog {
  const root = resolve(dir)
  fs.mkdirSync(root, { recursive: true })
  let open: { day: string; fd: number; size: number } | undefined
  // Set when a failed line could not be cut off again: the next line starts on a new one.
  let torn = false

  const fileFor = (receivedAt: number): string =>
    join(root, `deliveries-${dayOf(receivedAt)}.ndjson`)

  function prune(now: number): void {
    if (retainMs === undefined) return
    for (const name of fs.readdirSync(root)) {
      const day = FILE.exec(name)?.[1]
      if (day !== undefined && Date.parse(`${day}T00:00:00Z`) + DAY_MS <= now - retainMs) {
        try {
          fs.unlinkSync(join(root, name))
        } catch {
          // Gone already, or not ours to delete: retention tries again tomorrow.
        }
      }
    }
  }

  function fileForDay(receivedAt: number): { fd: number; size: number } {
    const day = dayOf(receivedAt)
    if (open?.day === day) return open
    if (open !== undefined) {
      fs.closeSync(open.fd)
      open = undefined
    }
    const fd = fs.openSync(fileFor(receivedAt), 'a')
    open = { day, fd, size: fs.fstatSync(fd).size }
    torn = false
    prune(Math.max(receivedAt, Date.now()))
    return open
  }

  // Checked now, so a folder that cannot be written fails before the port opens.
  fileForDay(Date.now())

  return {
    dir: root,
    fileFor,
    save(delivery) {
      let file: { fd: number; size: number }
      try {
        file = fileForDay(delivery.receivedAt)
      } catch (error) {
        throw asSaveError(error, `cannot open ${fileFor(delivery.receivedAt)}`)
      }
      const line = Buffer.from(`${torn ? '\n' : ''}${JSON.stringify(delivery.toJSON())}\n`)
      let written = 0
      try {
        // writeSync may write less than asked (a full disk, a signal): loop to the end.
        while (written < line.byteLength) {
          const n = fs.writeSync(file.fd, line, written, line.byteLength - written)
          if (!(n > 0)) throw new SaveError('EIO', 'the file system wrote nothing')
          written += n
        }
      } catch (error) {
        if (written > 0) {
          // Whole lines or none: cut the part that was written.
          try {
            fs.ftruncateSync(file.fd, file.size)
          } catch {
            torn = true
            file.size += written
          }
        }
        throw asSaveError(error, `cannot write to ${fileFor(delivery.receivedAt)}`)
      }
      file.size += written
      torn = false
    },
    close() {
      if (open !== undefined) fs.closeSync(open.fd)
      open = undefined
    },
  }
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function asSaveError(error: unknown, what: string): SaveError {
  if (error instanceof SaveError) return new SaveError(error.code, `${what}: ${error.message}`)
  const code = (error as NodeJS.ErrnoException | null)?.code ?? 'EIO'
  return new SaveError(code, `${what} (${code})`, { cause: error })
}

/**
 * The saved deliveries of a folder, as the paths to read in order: a `deliveries.ndjson` from
 * older versions first, then the `deliveries-YYYY-MM-DD.ndjson` files oldest day first.
 */
export function savedFiles(dir: string, fs: Pick<SaveFs, 'readdirSync'> = nodeFs): string[] {
  const names = fs.readdirSync(dir)
  const days = names.filter((n) => FILE.test(n)).sort()
  const legacy = names.includes('deliveries.ndjson') ? ['deliveries.ndjson'] : []
  return [...legacy, ...days].map((n) => join(dir, n))
}

/**
 * A file, stdin (`-`), or a `--save` folder whose files are read in order as one NDJSON text:
 * what `replay` and `export` take.
 */
export async function readSavedOrInput(source: string, io: CliIO): Promise<Buffer> {
  const isDir = source !== '-' && (await stat(source).catch(() => undefined))?.isDirectory()
  if (!isDir) return readInput(source, io)
  const files = savedFiles(source)
  if (files.length === 0) {
    throw new UsageError(`${JSON.stringify(source)} holds no deliveries-YYYY-MM-DD.ndjson files.`)
  }
  const parts: Buffer[] = []
  for (const file of files) {
    const text = await readFile(file)
    parts.push(text)
    // A file cut off mid-way (a full disk) still starts the next one on its own line.
    if (text.byteLength > 0 && text[text.byteLength - 1] !== 0x0a) parts.push(Buffer.from('\n'))
  }
  return Buffer.concat(parts)
}
