import { clearTimeout, setTimeout } from 'node:timers'
import { connect, type Socket } from 'node:net'

/** What a raw TCP client saw: the bytes it read and how the connection ended. */
export interface RawOutcome {
  text: string
  /** `end` for a FIN, or the socket error code (ECONNRESET, EPIPE…). */
  ended: string
}

/** Opens a plain TCP connection to a receiver, for requests no HTTP client would send. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Collects what the server sends until it ends or resets the connection (or `deadline` ms pass). */
export function readUntilClosed(socket: Socket, deadline = 10_000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let ended = ''
    const finish = (how: string): void => {
      ended ||= how
      socket.destroy()
    }
    const timer = setTimeout(() => finish('deadline'), deadline)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => finish('end'))
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'))
    // Resolved on 'close', once the handle is gone, so handle counts right after are exact.
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ text: Buffer.concat(chunks).toString('latin1'), ended: ended || 'close' })
    })
  })
}

/** Sends raw bytes and returns what came back once the server closed the connection. */
export async function rawExchange(url: string, request: string | Buffer): Promise<RawOutcome> {
  const socket = await openSocket(url)
  const outcome = readUntilClosed(socket)
  socket.write(request)
  return outcome
}
