import { afterEach, beforeEach, expect, it } from 'vitest'
import { createReceiver, type Receiver } from '../../../src/index.js'
import { openSocket, readUntilClosed } from '../raw.js'

// Every receiver here is closed, in the ways a suite closes them; none may be reported.
let receiver: Receiver
beforeEach(async () => {
  receiver = await createReceiver()
})
afterEach(() => receiver.close())

it('closed in afterEach with a keep-alive connection still open', async () => {
  const ep = receiver.endpoint()
  const socket = await openSocket(receiver.url)
  socket.write(`POST ${ep.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`)
  await ep.waitFor()
  expect(ep.deliveries).toHaveLength(1)
})

it('closed in afterEach with a hanging and a delayed answer pending', async () => {
  const hang = receiver.endpoint({ respond: 'hang' })
  const slow = receiver.endpoint({ respond: { delayMs: 60_000 } })
  for (const ep of [hang, slow]) {
    const socket = await openSocket(receiver.url)
    socket.write(`POST ${ep.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`)
    void readUntilClosed(socket)
  }
  await Promise.all([hang.waitFor(), slow.waitFor()])
  expect(receiver.deliveries).toHaveLength(2)
})

it('closed inside the test, as the last thing it does', async () => {
  const own = await createReceiver({ control: true })
  const socket = await openSocket(own.url)
  const done = readUntilClosed(socket)
  socket.write(`POST ${own.endpoint().path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`)
  await own.waitFor()
  await own.close()
  expect((await done).text).toMatch(/^HTTP\/1\.1 200/)
})
