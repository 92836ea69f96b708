import type { IncomingMessage } from 'node:http'

/**
 * Why a body was not read to its end: over the endpoint's `maxBodyBytes`, over what the
 * receiver's `maxBytes` budget can hold beside the other bodies in flight, or the sender left.
 */
export type ReadError = 'body_too_large' | 'over_budget' | 'aborted' | 'request_timeout'

/** Where in-flight bytes are counted: the receiver's store (see `BudgetStore`). */
export interface ReadBudget {
  reserve(bytes: number): boolean
  release(bytes: number): void
}

/**
 * Reads a request body up to `limit` bytes and calls `done` once: at the end, past the limit
 * (with the first `limit` bytes), past the budget (with nothing kept), or when the sender goes
 * away or runs out of time first. Every byte held is reserved in `budget` until `done` is called, `reserved` (the
 * request's header bytes) included.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  budget: ReadBudget,
  reserved: number,
  done: (rawBody: Uint8Array, error: ReadError | undefined) => void,
): void {
  let chunks: Buffer[] = []
  let size = 0
  let settled = false
  const finish = (error?: ReadError): void => {
    settled = true
    budget.release(reserved + size)
    let body: Uint8Array = EMPTY
    try {
      // A body the budget refused is not kept: that is what refusing it was for.
      if (error !== 'over_budget') body = concat(chunks, size)
    } catch {
      // A body that cannot be held in one Buffer is a body too large, not a crash. (Reached only
      // when Node cannot allocate at most maxBodyBytes, 256 MiB: no test, short of filling the
      // machine's memory; the two mutants here are left as no coverage, see docs/testing.md.)
      body = EMPTY
      error = 'body_too_large'
    }
    // Stryker disable next-line ArrayDeclaration: lets the chunks go while done() runs; what done() gets is the copy above
    chunks = []
    done(body, error)
  }
  req.on('data', (chunk: Buffer) => {
    if (settled) return
    // All of the chunk, or the part of it up to the limit.
    const take = Math.min(chunk.length, limit - size)
    if (!budget.reserve(take)) {
      finish('over_budget')
      return
    }
    size += take
    if (take < chunk.length) {
      chunks.push(chunk.subarray(0, take))
      finish('body_too_large')
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    if (!settled) finish()
  })
  // No 'error' listener: Node emits a request's abort error only to listeners, and 'close'
  // below records the abort, or the requestTimeout that node:http answered 408 and cut off.
  req.on('close', () => {
    if (settled) return
    const cause = (req.socket as { errored?: { code?: string } | null }).errored
    finish(cause?.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'aborted')
  })
}

const EMPTY: Uint8Array = new Uint8Array(0)

/**
 * A copy, always: socket chunks are views into larger read buffers that must not be kept
 * alive. Buffer.concat draws small bodies from Node's buffer pool, which saves an ArrayBuffer
 * per delivery (as `rawBody.byteOffset` says, the view may not start at 0).
 */
function concat(chunks: Buffer[], size: number): Uint8Array {
  return Buffer.concat(chunks, size)
}
