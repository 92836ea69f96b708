// What checkReceiver can be pointed at: a URL, a Node listener or app served for the run, or a
// fetch handler called in-process.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { checkReceiver } from '../../src/index.js'
import { openTarget } from '../../src/attacks/target.js'

const secret = 'whsec_targets'
const payload = { id: 'evt_t', object: 'event', type: 'invoice.paid', data: { object: {} } }
const only = ['valid', 'tampered-body']

/** Answers 200 to a valid Stripe signature and 401 otherwise, whatever the framework. */
function judge(headers: Record<string, string>, body: string): number {
  const parts = Object.fromEntries(
    (headers['stripe-signature'] ?? '').split(',').map((kv) => kv.split('=')),
  )
  if (!parts.t || !parts.v1) return 401
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest()
  const got = Buffer.from(String(parts.v1), 'hex')
  return got.length === expected.length && timingSafeEqual(got, expected) ? 200 : 401
}

describe('targets', () => {
  it('a plain node:http listener, served on 127.0.0.1 for the run and closed after', async () => {
    let url = ''
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      url ||= `http://127.0.0.1:${req.socket.localPort}`
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        res.statusCode = judge(req.headers as Record<string, string>, body)
        res.end()
      })
    }
    const report = await checkReceiver(listener, { scheme: 'stripe', secret, payload, only })
    expect(report.target).toBe('listener')
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['valid', 200],
      ['tampered-body', 401],
    ])
    // Closed after the run: nothing listens there any more.
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow()
  })

  it('a Fastify instance (its routing, once ready)', async () => {
    const app = Fastify()
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    )
    app.post('/hooks', async (req, reply) =>
      reply.code(judge(req.headers as Record<string, string>, req.body as string)).send(),
    )
    const report = await checkReceiver(app, {
      scheme: 'stripe',
      secret,
      payload,
      only,
      path: '/hooks',
    })
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['valid', 200],
      ['tampered-body', 401],
    ])
    await app.close()
  })

  it('a Hono app and a Next.js-style route handler, in-process', async () => {
    const hono = new Hono()
    hono.post('/api/hooks', async (c) =>
      c.body(null, judge(Object.fromEntries(c.req.raw.headers), await c.req.text()) as 200),
    )
    const viaHono = await checkReceiver(hono, {
      scheme: 'stripe',
      secret,
      payload,
      only,
      path: '/api/hooks',
    })
    expect(viaHono.target).toBe('fetch')
    expect(viaHono.results.map((r) => r.status)).toEqual([200, 401])

    // A route handler that declares (request, context) is given as { fetch }.
    const POST = async (request: Request, _context?: unknown) =>
      new Response(null, {
        status: judge(Object.fromEntries(request.headers), await request.text()),
      })
    const viaNext = await checkReceiver(
      { fetch: POST },
      { scheme: 'stripe', secret, payload, only },
    )
    expect(viaNext.results.map((r) => r.status)).toEqual([200, 401])
  })

  it('a fetch handler that throws is a 500; one that never answers is a timeout', async () => {
    const throws = await openTarget(
      () => {
        throw new Error('boom')
      },
      { option: 'target' },
    )
    const request = { url: throws.url, method: 'POST', headers: {}, body: '{}', timeoutMs: 1000 }
    expect((await throws.send(request)).status).toBe(500)
    const hangs = await openTarget((_r: Request) => new Promise<Response>(() => {}), {
      option: 'target',
    })
    expect((await hangs.send({ ...request, timeoutMs: 30 })).error?.code).toBe('timeout')
    const notResponse = await openTarget((_r: Request) => 'ok' as never, { option: 'target' })
    expect((await notResponse.send(request)).status).toBe(500)
  })
})
