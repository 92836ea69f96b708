import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver, stripe } from '../../src/index.js'

// A throwaway self-signed certificate for 127.0.0.1, made per run with the machine's openssl.
let dir: string
let key: string
let cert: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookwright-tls-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  key = readFileSync(join(dir, 'key.pem'), 'utf8')
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('createReceiver({ tls })', () => {
  it('serves HTTPS, records byte-exact and verifies signatures as over HTTP', async () => {
    const receiver = await createReceiver({ tls: { key, cert: Buffer.from(cert) } })
    const dispatcher = new Agent({ connect: { ca: cert } })
    try {
      expect(receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret: 'whsec_tls' } })
      expect(ep.url.startsWith('https://')).toBe(true)
      const signed = stripe.sign({ payload: { id: 'evt_tls' }, secret: 'whsec_tls' })
      const ok = await request(ep.url, { method: 'POST', ...signed, dispatcher })
      await ok.body.text()
      const bad = await request(ep.url, {
        method: 'POST',
        headers: signed.headers,
        body: '{}',
        dispatcher,
      })
      await bad.body.text()
      expect([ok.statusCode, bad.statusCode]).toEqual([200, 401])
      const [first, second] = await ep.waitFor({ count: 2 })
      expect(first!.text()).toBe(signed.body)
      expect(first!.verification).toMatchObject({ ok: true })
      expect(second!.verification).toMatchObject({ ok: false, reason: 'bad_signature' })
    } finally {
      await dispatcher.close()
      await receiver.close()
    }
  })

  it('caps TLS connections too: a request past maxConnections gets 503, not silence', async () => {
    const receiver = await createReceiver({ tls: { key, cert }, maxConnections: 1 })
    const hold = new Agent({ connect: { ca: cert } })
    const other = new Agent({ connect: { ca: cert } })
    try {
      const hang = receiver.endpoint({ respond: 'hang' })
      const held = request(hang.url, { method: 'POST', body: '{}', dispatcher: hold }).catch(
        (error: Error) => error,
      )
      await hang.waitFor()
      const res = await request(receiver.endpoint().url, {
        method: 'POST',
        body: '{}',
        dispatcher: other,
      })
      expect(res.statusCode).toBe(503)
      await res.body.dump()
      await receiver.close()
      await held
    } finally {
      await hold.close()
      await other.close()
      await receiver.close()
    }
  })

  it('takes the PEMs as strings, Buffers or plain Uint8Arrays', async () => {
    const bytes = (text: string) => new Uint8Array(Buffer.from(text))
    const dispatcher = new Agent({ connect: { ca: cert } })
    try {
      for (const tls of [
        { key: bytes(key), cert: bytes(cert) },
        { key: Buffer.from(key), cert },
      ]) {
        const receiver = await createReceiver({ tls })
        try {
          const ep = receiver.endpoint()
          const res = await request(ep.url, { method: 'POST', body: '{}', dispatcher })
          await res.body.text()
          expect(res.statusCode).toBe(200)
        } finally {
          await receiver.close()
        }
      }
    } finally {
      await dispatcher.close()
    }
  })

  it('refuses a tls option without key and cert, naming the option and not printing it', async () => {
    await expect(createReceiver({ tls: { key } as never })).rejects.toThrow(
      /Invalid option `tls`: expected an object \{ key, cert \}.*\(hidden\)/,
    )
  })
})
