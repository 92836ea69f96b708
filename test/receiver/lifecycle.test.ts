import { readdirSync } from 'node:fs'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { createReceiver } from '../../src/index.js'
import { openSocket, readUntilClosed } from './raw.js'

/** Open handles by kind, without the ones the test runner itself holds. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/**
 * No kind of handle (socket, server, timer…) is more numerous than before. close() resolves when
 * node's own close callback would: the port and every file descriptor are released by then
 * (the tests check fds at once), while libuv frees the closed handles' records in the close
 * phase of the loop turn, after the check phase, so two setImmediate turns come first.
 */
async function expectNoNewHandles(before: Record<string, number>): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  const grown = Object.entries(handles()).filter(([kind, count]) => count > (before[kind] ?? 0))
  expect(grown).toEqual([])
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length
}

describe('receiver lifecycle', () => {
  it('close() ends in-flight requests of every kind and leaves no handles behind', async () => {
    const before = handles()
    const receiver = await createReceiver()
    const hang = receiver.endpoint({ respond: 'hang' })
    const slow = receiver.endpoint({ respond: { delayMs: 60_000 } })
    const plain = receiver.endpoint()
    // A keep-alive connection that is idle, one waiting on a hang, one on a delay, and one
    // still sending its body.
    const idle = await request(plain.url, { method: 'POST', body: 'x' })
    await idle.body.dump()
    const hanging = request(hang.url, { method: 'POST', body: 'x' }).catch((e: Error) => e)
    const delayed = request(slow.url, { method: 'POST', body: 'x' })
    await Promise.all([hang.waitFor(), slow.waitFor()])
    const socket = await openSocket(receiver.url)
    const cut = readUntilClosed(socket)
    // Expect: 100-continue makes the server say when the request has reached the handler.
    socket.write(
      `POST ${plain.path} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n`,
    )
    await new Promise<void>((resolve) => socket.once('data', () => resolve()))
    const waitingForever = plain.waitFor({ count: 99, timeout: 60_000 })
    waitingForever.catch(() => {})

    await receiver.close()
    await receiver.close()

    expect(await hanging).toBeInstanceOf(Error)
    const answered = await delayed
    expect(answered.statusCode).toBe(200)
    await answered.body.dump()
    expect((await cut).ended).not.toBe('deadline')
    expect(receiver.deliveries.filter((d) => d.error === 'aborted')).toHaveLength(1)
    await expect(waitingForever).rejects.toMatchObject({ code: 'HOOKWRIGHT_CLOSED' })
    // undici keeps its own pool sockets; close them so only the receiver's handles are compared.
    await closeUndiciPool()
    await expectNoNewHandles(before)
    await expect(request(receiver.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('1,000 create/close cycles leave no handles or file descriptors behind', async () => {
    // Warm up lazily created things (the DNS-less listen path, the http parser pool).
    for (let i = 0; i < 20; i++) await (await createReceiver()).close()
    const handlesBefore = handles()
    const fdsBefore = openFds()
    for (let i = 0; i < 1000; i++) {
      const receiver = await createReceiver()
      receiver.endpoint()
      await receiver.close()
    }
    // Right after the last close: the fd table holds only what is open, so a leak of one per
    // cycle would show as ~1000.
    expect(openFds()).toBeLessThanOrEqual(fdsBefore)
    await expectNoNewHandles(handlesBefore)
  })

  it('create/close cycles that served a request each leave nothing behind', async () => {
    const before = handles()
    const fdsBefore = openFds()
    for (let i = 0; i < 100; i++) {
      const receiver = await createReceiver()
      const ep = receiver.endpoint()
      const socket = await openSocket(receiver.url)
      const done = readUntilClosed(socket)
      // Keep-alive: the server is the one that has to close this connection.
      socket.write(`POST ${ep.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`)
      await ep.waitFor()
      await receiver.close()
      expect((await done).text).toMatch(/^HTTP\/1\.1 200/)
    }
    expect(openFds()).toBeLessThanOrEqual(fdsBefore)
    await expectNoNewHandles(before)
  })
})

async function closeUndiciPool(): Promise<void> {
  const { getGlobalDispatcher, setGlobalDispatcher, Agent } = await import('undici')
  const old = getGlobalDispatcher()
  setGlobalDispatcher(new Agent())
  await old.close()
}
