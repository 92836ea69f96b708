import { request } from 'undici'
import { afterEach } from 'vitest'
import { createReceiver, type Receiver } from '../../src/index.js'

// A receiver per test, closed after it: import `start` from a test file (the afterEach below is
// registered in that file).
let current: Receiver | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

/** Starts a receiver that is closed after the test. */
export async function start(options: Parameters<typeof createReceiver>[0] = {}): Promise<Receiver> {
  current = await createReceiver(options)
  return current
}

/** One request (POST unless told), read to its end. */
export async function send(
  url: string,
  init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
) {
  const res = await request(url, { method: 'POST', ...init })
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
}
