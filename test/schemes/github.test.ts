import { createHmac } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { describe, expect, it } from 'vitest'
import { HookwrightError, getScheme, github } from '../../src/index.js'

const secret = 'gh-webhook-secret'
const payload = { action: 'opened', number: 1, repository: { full_name: 'octo/hello' } }

describe('github', () => {
  it('signs what @octokit/webhooks-methods verifies', async () => {
    const { headers, body } = github.sign({ payload, secret, event: 'pull_request', id: 'd-1' })
    expect(typeof body).toBe('string')
    expect(await octokitVerify(secret, body as string, headers['x-hub-signature-256']!)).toBe(true)
    expect(headers).toMatchObject({ 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' })
  })

  it('verifies what @octokit/webhooks-methods signs', async () => {
    const body = JSON.stringify(payload, null, 2)
    const header = await octokitSign(secret, body)
    const result = github.verify({ headers: { 'X-Hub-Signature-256': header }, body, secret })
    expect(result).toMatchObject({ ok: true, scheme: 'github', secretIndex: 0 })
  })

  it("matches the test vector in GitHub's docs (Validating webhook deliveries)", () => {
    const vector = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
    const docsSecret = "It's a Secret to Everybody"
    const { headers } = github.sign({ payload: 'Hello, World!', secret: docsSecret })
    expect(headers['x-hub-signature-256']).toBe(vector)
    const result = github.verify({
      headers: { 'x-hub-signature-256': vector },
      body: 'Hello, World!',
      secret: docsSecret,
    })
    expect(result.ok).toBe(true)
  })

  it('writes and checks the legacy sha1 X-Hub-Signature on request', () => {
    const { headers, body } = github.sign({ payload, secret, legacy: true })
    const sha1 = createHmac('sha1', secret).update(body).digest('hex')
    expect(headers['x-hub-signature']).toBe(`sha1=${sha1}`)
    expect(github.verify({ headers, body, secret, algorithm: 'sha1' }).ok).toBe(true)
    // Without `legacy`, only the sha256 header is written.
    expect(github.sign({ payload, secret }).headers['x-hub-signature']).toBeUndefined()
    // A request that only carries the legacy header is refused by default, with a hint.
    const legacyOnly = { 'x-hub-signature': headers['x-hub-signature']! }
    const result = github.verify({ headers: legacyOnly, body, secret })
    expect(result).toMatchObject({ ok: false, reason: 'missing_header' })
    expect(!result.ok && result.message).toMatch(/algorithm: 'sha1'/)
  })

  it('says why a request is refused', () => {
    const { headers, body } = github.sign({ payload, secret })
    const sig = headers['x-hub-signature-256']!
    const reason = (h: Record<string, string>, b: string | Uint8Array = body, s = secret) => {
      const result = github.verify({ headers: h, body: b, secret: s })
      return result.ok ? 'ok' : result.reason
    }
    expect(reason(headers, `${body} `)).toBe('bad_signature')
    expect(reason(headers, body, 'other-secret')).toBe('bad_signature')
    expect(reason({ 'x-hub-signature-256': sig.toUpperCase().replace('SHA256', 'sha256') })).toBe(
      'bad_signature',
    )
    expect(reason({})).toBe('missing_header')
    expect(reason({ 'x-hub-signature-256': '' })).toBe('missing_header')
    expect(reason({ 'x-hub-signature-256': sig.slice('sha256='.length) })).toBe('malformed_header')
    expect(reason({ 'x-hub-signature-256': `sha512=${sig.slice(7)}` })).toBe('unsupported_version')
    expect(github.verify({ headers, body, secrets: [''] })).toMatchObject({
      reason: 'missing_secret',
    })
  })

  it('accepts any of several secrets during a rotation', () => {
    const { headers, body } = github.sign({ payload, secret: 'new-secret' })
    const result = github.verify({ headers, body, secrets: ['old-secret', 'new-secret'] })
    expect(result).toMatchObject({ ok: true, secretIndex: 1 })
    expect(github.verify({ headers, body, secrets: ['old-secret'] }).ok).toBe(false)
  })

  it('reads headers in any shape and the body as string, Buffer or Uint8Array', () => {
    const { headers, body } = github.sign({ payload, secret, id: 'delivery-7' })
    const sig = headers['x-hub-signature-256']!
    const incoming: IncomingHttpHeaders = {
      'x-hub-signature-256': sig,
      'x-github-delivery': 'delivery-7',
      'set-cookie': ['a=1', 'b=2'],
    }
    const shapes = [{ 'X-HUB-SIGNATURE-256': sig }, new Headers(headers), incoming]
    const bodies = [body, Buffer.from(body), new Uint8Array(Buffer.from(body))]
    for (const h of shapes) {
      for (const b of bodies) expect(github.verify({ headers: h, body: b, secret }).ok).toBe(true)
    }
    expect(github.verify({ headers: incoming, body, secret })).toMatchObject({ id: 'delivery-7' })
  })

  it('verifies a real request received by node:http, from its raw bytes', async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const result = github.verify({ headers: req.headers, body: Buffer.concat(chunks), secret })
        res.writeHead(result.ok ? 204 : 401).end()
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    try {
      const { headers, body } = github.sign({ payload: { text: 'héllo ✓' }, secret })
      expect(typeof body).toBe('string') // an object payload is sent as its JSON text
      const good = await fetch(url, { method: 'POST', headers, body: body as string })
      const bad = await fetch(url, { method: 'POST', headers, body: `${body}\n` })
      expect([good.status, bad.status]).toEqual([204, 401])
    } finally {
      server.close()
      await once(server, 'close')
    }
  })

  it('throws on misuse, naming the option', () => {
    const { headers, body } = github.sign({ payload, secret })
    expect(() => github.verify({ headers, body, secret, algorithm: 'md5' as never })).toThrow(
      /`algorithm`.*'sha256' or 'sha1'/,
    )
    expect(() => github.sign({ payload, secret: '' })).toThrow(HookwrightError)
    expect(getScheme('github')).toBe(github)
  })
})
