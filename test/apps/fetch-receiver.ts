// A webhook receiver written as a fetch handler `(Request) => Promise<Response>` (Hono's
// app.fetch, a Next.js route handler, a Workers fetch), correct by default: the official
// library verifies the raw text, the body is read with a 512 kB limit, the message id is
// checked and recorded in one synchronous step, the answer comes before the work, and an
// object's record is only overwritten by a newer event.
//
// Each `bugs` entry switches on one of the classic mistakes that the conformance cases catch.
import { setTimeout as sleep } from 'node:timers/promises'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'

export type ReceiverBug =
  /** `if (!seen.has(id)) { await db.lookup(); seen.add(id) }`: an await between check and insert. */
  | 'racy-dedupe'
  /** Duplicates recognised by their signature header, so a re-signed retry is new. */
  | 'dedupe-by-signature'
  /** The record is whatever event arrived last. */
  | 'last-write-wins'
  /** An update for an object not created yet is answered 500 (the provider retries it). */
  | 'update-before-create-500'
  /** The work (`slowMs`) is awaited before the answer. */
  | 'work-before-answer'
  /** The body is read whole, whatever its size. */
  | 'no-body-limit'
  /** The background worker dies on a body that is not JSON; every later delivery gets 503. */
  | 'dies-after-garbage'
  /** With `failFirst`: the work is done, then the attempt fails, and the id is not recorded. */
  | 'side-effect-before-failure'

export interface FetchReceiver {
  fetch(request: Request): Promise<Response>
  processed(): number
  state(id: string | undefined): Record<string, unknown> | undefined
}

const LIMIT = 512 * 1024

export function fetchReceiver(options: {
  scheme: 'stripe' | 'standardWebhooks'
  secret: string
  bugs?: readonly ReceiverBug[]
  /** `work-before-answer`: how long the work takes. Default 1500 ms. */
  slowMs?: number
  /** Fail the first n attempts with a 500 (a database that is down for a while). */
  failFirst?: number
}): FetchReceiver {
  const bugs = new Set(options.bugs ?? [])
  const stripe = new Stripe('sk_test_unused')
  const seen = new Set<string>()
  const records = new Map<string, { at: number; object: Record<string, unknown> }>()
  let processed = 0
  let attempts = 0
  let workerAlive = true

  const work = (event: { at: number; object: unknown }) => {
    const object = event.object as Record<string, unknown> | undefined
    const id = typeof object?.id === 'string' ? object.id : undefined
    if (!object || id === undefined) return
    const stored = records.get(id)
    if (bugs.has('last-write-wins') || !((stored?.at ?? -Infinity) > event.at)) {
      records.set(id, { at: event.at, object })
    }
  }

  return {
    processed: () => processed,
    state: (id) => (id === undefined ? undefined : records.get(id)?.object),
    async fetch(request) {
      if (!workerAlive) return new Response('worker down', { status: 503 })
      const text = await readText(request, bugs.has('no-body-limit') ? Infinity : LIMIT)
      if (text === undefined) return new Response('too large', { status: 413 })
      let event: { id: string; at: number; object: unknown; type: string }
      try {
        if (options.scheme === 'stripe') {
          const e = stripe.webhooks.constructEvent(
            text,
            request.headers.get('stripe-signature') ?? '',
            options.secret,
          )
          event = { id: e.id, at: e.created, object: e.data?.object, type: e.type }
        } else {
          const headers = Object.fromEntries(request.headers)
          const e = new Webhook(options.secret).verify(text, headers) as {
            type?: string
            timestamp?: string
            data?: unknown
          }
          event = {
            id: headers['webhook-id'] ?? '',
            at: Date.parse(e.timestamp ?? '') / 1000 || 0,
            object: e.data,
            type: e.type ?? '',
          }
        }
      } catch {
        // Signed garbage fails here (both libraries parse the JSON); see `dies-after-garbage`.
        if (bugs.has('dies-after-garbage') && text.length > 0 && !isJson(text)) workerAlive = false
        return Response.json({ error: 'invalid signature' }, { status: 400 })
      }
      const key = bugs.has('dedupe-by-signature')
        ? (request.headers.get('stripe-signature') ??
          request.headers.get('webhook-signature') ??
          '')
        : event.id

      attempts++
      if (options.failFirst !== undefined && attempts <= options.failFirst) {
        if (bugs.has('side-effect-before-failure')) processed++
        return new Response('database unavailable', { status: 500 })
      }
      if (seen.has(key)) return Response.json({ duplicate: true })
      if (bugs.has('racy-dedupe')) await sleep(20) // the lookup between the check and the insert
      seen.add(key)

      if (bugs.has('update-before-create-500') && event.type.endsWith('.updated')) {
        const id = (event.object as { id?: unknown } | undefined)?.id
        if (typeof id === 'string' && !records.has(id)) {
          seen.delete(key)
          return new Response('unknown object', { status: 500 })
        }
      }
      processed++
      if (bugs.has('work-before-answer')) {
        await sleep(options.slowMs ?? 1500)
        work(event)
        return Response.json({ received: true })
      }
      queueMicrotask(() => work(event))
      return Response.json({ received: true })
    },
  }
}

/** The body as text, or undefined past `limit` bytes (read no further than that). */
async function readText(request: Request, limit: number): Promise<string | undefined> {
  if (!request.body) return ''
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) return undefined
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
