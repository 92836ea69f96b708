import type { IncomingMessage, Server } from 'node:http'
import { clearTimeout, setImmediate } from 'node:timers'
import type { Answering } from './answer.js'
import type { ReceiverRoute } from './types.js'

/**
 * Closes the server: routes first (they end their event streams), then delayed answers go out
 * now, hanging requests and unfinished bodies are cut off, and every socket closes. Resolves
 * once the port and every socket's file descriptor are closed.
 */
export async function shutDown(
  server: Server,
  routes: readonly ReceiverRoute[],
  answering: Answering,
  reading: ReadonlySet<IncomingMessage>,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  if (routes.length > 0) await Promise.allSettled(routes.map(async (route) => route.close?.()))
  const { delayed, hanging } = answering
  if (delayed?.size || hanging?.size || reading.size > 0) {
    for (const [timer, run] of delayed ?? []) {
      clearTimeout(timer)
      run()
    }
    for (const res of hanging ?? []) res.socket?.destroy()
    for (const req of reading) req.socket.destroy()
    // Let answers just written reach the socket before the remaining connections go.
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  server.closeAllConnections()
  // Resolves as node's own close callback does: the port and every socket's file descriptor
  // are closed by now; libuv frees the listening handle's memory at the end of this loop turn.
  await closed
}
