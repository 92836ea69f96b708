// How a target is opened and called: served listeners that throw or reject, in-process handlers
// that stream forever or watch their request's signal, GET and HEAD, and the shapes refused.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { Agent } from 'undici'
import { describe, expect, it } from 'vitest'
import { HookwrightError, simulateProvider } from '../../src/index.js'
import { openTarget, type TargetRequest } from '../../src/attacks/target.js'

const request = (url: string, extra: Partial<TargetRequest> = {}): TargetRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"id":"evt_1"}',
  timeoutMs: 5000,
  ...extra,
})

describe('a Node listener served for the run', () => {
  it('is served at the path given, and a listener that throws or rejects answers 500', async () => {
    const seen: string[] = []
    let mode: 'ok' | 'throw' | 'reject' | 'late-throw' = 'ok'
    const target = await openTarget(
      (req: IncomingMessage, res: ServerResponse) => {
        seen.push(`${req.method} ${req.url}`)
        if (mode === 'throw') throw new Error('boom')
        if (mode === 'reject') return Promise.reject(new Error('boom'))
        if (mode === 'late-throw') {
          res.writeHead(202)
          throw new Error('after the head')
        }
        res.statusCode = 204
        res.end()
        return undefined
      },
      { path: '/hooks/a', option: 'target' },
    )
    try {
      expect(target.kind).toBe('listener')
      expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/a$/)
      expect((await target.send(request(target.url))).status).toBe(204)
      mode = 'throw'
      expect((await target.send(request(target.url))).status).toBe(500)
      mode = 'reject'
      expect((await target.send(request(target.url))).status).toBe(500)
      // The head went out before the throw: that status stands.
      mode = 'late-throw'
      expect((await target.send(request(target.url))).status).toBe(202)
      expect(seen).toEqual(Array(4).fill('POST /hooks/a'))
    } finally {
      await target.close()
    }
  })

  it('close() ends a connection the listener never answered', async () => {
    let arrived: (() => void) | undefined
    const waiting = new Promise<void>((resolve) => (arrived = resolve))
    const target = await openTarget(
      (_req: IncomingMessage, _res: ServerResponse) => {
        arrived!()
      },
      { option: 'target' },
    )
    const pending = target.send(request(target.url, { timeoutMs: 60_000 }))
    await waiting
    await target.close()
    // The open request ends with the server, not after its 60 s deadline.
    const outcome = await pending
    expect(outcome.status).toBeUndefined()
    expect(outcome.error).toBeDefined()
    expect(outcome.error!.code).not.toBe('timeout')
  })
})

describe('a fetch handler called in-process', () => {
  it('an endless answer body is read up to 1 MiB, then left: the status still counts', async () => {
    let pulled = 0
    let cancelled = false
    const chunk = new Uint8Array(64 * 1024)
    const target = await openTarget(
      (_r: Request) =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              pulled += chunk.byteLength
              controller.enqueue(chunk)
            },
            cancel() {
              cancelled = true
            },
          }),
          { status: 201 },
        ),
      { option: 'target' },
    )
    const outcome = await target.send(request(target.url))
    expect(outcome.status).toBe(201)
    expect(cancelled).toBe(true)
    expect(pulled).toBeGreaterThan(1024 * 1024)
    expect(pulled).toBeLessThan(2 * 1024 * 1024)
  })

  it('a handler sees its request aborted when the deadline passes', async () => {
    let aborted: (() => void) | undefined
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve))
    const target = await openTarget(
      (r: Request) => {
        r.signal.addEventListener('abort', () => aborted!())
        return new Promise<Response>(() => {})
      },
      { option: 'target' },
    )
    const outcome = await target.send(request(target.url, { timeoutMs: 50 }))
    expect(outcome.error).toEqual({ code: 'timeout', message: 'No answer within 50 ms.' })
    await sawAbort
  })

  it('GET and HEAD go without a body; the answer headers are read', async () => {
    const seen: Array<[string, string | null]> = []
    const handler = async (r: Request) => {
      seen.push([r.method, r.body === null ? null : await r.text()])
      return new Response(null, { status: 200, headers: { 'x-seen': r.method } })
    }
    const target = await openTarget(handler, { option: 'target' })
    for (const method of ['GET', 'HEAD', 'POST']) {
      const outcome = await target.send(request(target.url, { method }))
      expect([method, outcome.status, outcome.responseHeaders['x-seen']]).toEqual([
        method,
        200,
        method,
      ])
    }
    expect(seen).toEqual([
      ['GET', null],
      ['HEAD', null],
      ['POST', '{"id":"evt_1"}'],
    ])
    // The same through simulateProvider, as a user would send a GET webhook.
    const sim = await simulateProvider(handler, {
      scheme: 'github',
      secret: 's',
      payload: { id: 'e' },
      method: 'get',
    })
    expect(sim.attempts.map((a) => a.status)).toEqual([200])
  })
})

describe('targets refused', () => {
  it.each([
    ['a number', 42],
    ['null', null],
    ['an object with routing but no ready', { routing: () => {} }],
    ['an object with ready but no routing', { ready: async () => {} }],
    ['an object with a fetch that is not a function', { fetch: 'https://example.com' }],
  ])('%s', async (_, target) => {
    const error = await openTarget(target as never, { option: 'checkReceiver(target)' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(HookwrightError)
    expect((error as Error).message).toMatch(
      /^Invalid option `checkReceiver\(target\)`: expected a URL, a Node request listener or Express\/Fastify app, or a fetch handler \(request\) => Response/,
    )
  })

  it.each([['hooks'], [5], ['']])('path %j', async (path) => {
    await expect(
      openTarget((_r: Request) => new Response(), { path: path as never, option: 'target' }),
    ).rejects.toThrow(
      /^Invalid option `path`: expected a path starting with "\/", such as "\/webhooks"/,
    )
  })

  it('a URL target is used as given, and a served listener is gone after close', async () => {
    const served = await openTarget(
      (_req: IncomingMessage, res: ServerResponse) => {
        res.end('ok')
      },
      { path: '/x', option: 'target' },
    )
    const byUrl = await openTarget(new URL(served.url), { path: '/ignored', option: 'target' })
    expect(byUrl).toMatchObject({ kind: 'url', url: served.url })
    expect((await byUrl.send(request(byUrl.url))).status).toBe(200)
    await byUrl.close()
    await served.close()
    const after = await openTarget(served.url, { option: 'target' })
    const outcome = await after.send(request(after.url, { timeoutMs: 2000 }))
    expect(outcome.status).toBeUndefined()
    await after.close()
  })
})

describe('targets, continued', () => {
  it('a served listener listens on loopback only, and may return res and answer later', async () => {
    const addresses: string[] = []
    const target = await openTarget(
      (req: IncomingMessage, res: ServerResponse) => {
        addresses.push(req.socket.localAddress ?? '')
        res.statusCode = 204
        setImmediate(() => res.end())
        return res // as `return res.status(204)` in an Express handler
      },
      { option: 'target' },
    )
    try {
      expect((await target.send(request(target.url))).status).toBe(204)
      expect(addresses).toEqual(['127.0.0.1'])
    } finally {
      await target.close()
    }
  })

  it('only a real Response counts: a look-alike object is a 500', async () => {
    const target = await openTarget(
      (_r: Request) => ({ status: 200, headers: new Headers(), body: null }) as never,
      { option: 'target' },
    )
    expect((await target.send(request(target.url))).status).toBe(500)
  })

  it('a handler that throws: the time measured is the call’s, not more', async () => {
    const target = await openTarget(
      (_r: Request) => {
        throw new Error('boom')
      },
      { option: 'target' },
    )
    const before = performance.now()
    const outcome = await target.send(request(target.url))
    const elapsed = performance.now() - before
    expect(outcome.status).toBe(500)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0)
    expect(outcome.durationMs).toBeLessThanOrEqual(elapsed)
  })

  it('a dispatcher given is the one used, for a URL and for a served listener', async () => {
    let dispatched = 0
    class Counting extends Agent {
      override dispatch(...args: Parameters<Agent['dispatch']>) {
        dispatched++
        return super.dispatch(...args)
      }
    }
    const dispatcher = new Counting()
    const served = await openTarget(
      (_req: IncomingMessage, res: ServerResponse) => {
        res.end('ok')
      },
      { option: 'target', dispatcher },
    )
    try {
      expect((await served.send(request(served.url))).status).toBe(200)
      expect(dispatched).toBe(1)
      const byUrl = await openTarget(served.url, { option: 'target', dispatcher })
      expect((await byUrl.send(request(byUrl.url))).status).toBe(200)
      expect(dispatched).toBe(2)
      await byUrl.close()
    } finally {
      await served.close()
      await dispatcher.close()
    }
  })
})
