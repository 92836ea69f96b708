import type { Server } from 'node:http'
import { clearTimeout, setImmediate } from 'node:timers'
import type { Answering } from './answer.js'
import type { ReceiverRoute } from './types.js'

/**
 * Closes the server: routes first (they end their event streams), then delayed answers go out
 * now, and every socket closes: hanging requests, unfinished bodies (which record as aborted)
 * and idle keep-alive connections alike. Resolves once the port and every socket's file
 * descriptor are closed.
 */
export async function shutDown(
  server: Server,
  routes: readonly ReceiverRoute[],
  answering: Answering,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  // Stryker disable next-line OptionalChaining: a route without close() throws inside its async function, which allSettled settles the same
  await Promise.allSettled(routes.map(async (route) => route.close?.()))
  const { delayed } = answering
  // Stryker disable next-line ConditionalExpression: only skips a loop turn when no answer is delayed (start+close speed)
  if (delayed?.size) {
    for (const [timer, run] of delayed) {
      clearTimeout(timer)
      run()
    }
    // Let the answers just written reach their sockets before the connections go.
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  server.closeAllConnections()
  // Resolves as node's own close callback does: the port and every socket's file descriptor
  // are closed by now; libuv frees the listening handle's memory at the end of this loop turn.
  await closed
}
