import { EventSource, request } from 'undici'
import type { DeliveryJSON } from '../../src/delivery.js'

/** One call to the control API over real HTTP, as curl or another language would make it. */
export async function api(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  let body: string | undefined
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
  }
  // The receiver takes state changes only as JSON, even with an empty body.
  if (body !== undefined || init.method === 'POST') headers['content-type'] ??= 'application/json'
  const res = await fetch(`${base}/_hookwright/${path}`, {
    method: init.method ?? 'GET',
    headers,
    body,
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined }
}

/** Posts a body to a URL and returns the status (the sender side of a test). */
export async function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, { method: 'POST', body: body as BodyInit, headers })
  await res.arrayBuffer()
  return res.status
}

/**
 * An EventSource (undici's, the WHATWG one browsers implement) that records `delivery` and
 * `ready` events and lets a test await a number of them.
 */
export function follow(url: string) {
  const source = new EventSource(url)
  const deliveries: Array<{ id: string; delivery: DeliveryJSON }> = []
  const ready: Array<{ replayed: number; dropped: number; lastId: string | null }> = []
  const waiters = new Set<() => void>()
  const notify = () => {
    for (const check of [...waiters]) check()
  }
  source.addEventListener('delivery', (event) => {
    const e = event as MessageEvent<string>
    deliveries.push({ id: e.lastEventId, delivery: JSON.parse(e.data) })
    notify()
  })
  source.addEventListener('ready', (event) => {
    const e = event as MessageEvent<string>
    ready.push(JSON.parse(e.data))
    notify()
  })
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (done()) {
          waiters.delete(check)
          resolve()
        }
      }
      waiters.add(check)
      check()
    })
  return {
    source,
    deliveries,
    ready,
    /** Resolves once `n` deliveries have arrived (the test timeout is the deadline). */
    received: (n: number) => until(() => deliveries.length >= n),
    isReady: () => until(() => ready.length > 0),
    close: () => source.close(),
  }
}

/**
 * Reads a raw event stream until `text` has appeared and returns what was read; for the
 * parts an EventSource hides (comments, the Last-Event-ID header we choose).
 */
export async function readStreamUntil(
  url: string,
  text: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const controller = new AbortController()
  const res = await request(url, { headers, signal: controller.signal })
  let seen = ''
  try {
    for await (const chunk of res.body) {
      seen += chunk.toString()
      if (seen.includes(text)) break
    }
  } finally {
    controller.abort()
    res.body.on('error', () => {})
  }
  return seen
}
