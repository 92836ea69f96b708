import type { IncomingMessage } from 'node:http'

/** Why a body was not read to its end. */
export type ReadError = 'body_too_large' | 'aborted' | 'request_timeout'

/**
 * Reads a request body up to `limit` bytes and calls `done` once: at the end, past the limit
 * (with the first `limit` bytes), or when the sender goes away or runs out of time first.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (rawBody: Uint8Array, error: ReadError | undefined) => void,
): void {
  const chunks: Buffer[] = []
  let size = 0
  let settled = false
  const finish = (error?: ReadError): void => {
    settled = true
    done(concat(chunks, size), error)
  }
  req.on('data', (chunk: Buffer) => {
    if (settled) return
    if (size + chunk.length > limit) {
      if (limit > size) chunks.push(chunk.subarray(0, limit - size))
      size = limit
      finish('body_too_large')
      return
    }
    chunks.push(chunk)
    size += chunk.length
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

/**
 * A copy, always: socket chunks are views into larger read buffers that must not be kept
 * alive. Buffer.concat draws small bodies from Node's buffer pool, which saves an ArrayBuffer
 * per delivery (as `rawBody.byteOffset` says, the view may not start at 0).
 */
function concat(chunks: Buffer[], size: number): Uint8Array {
  return Buffer.concat(chunks, size)
}
