import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { INSPECTOR_PREFIX, inspectorRoute } from '../../src/inspector/route.js'
import { hostCheck } from '../../src/receiver/guard.js'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'
import { rawExchange } from './raw.js'

// The receiver's own paths (/_hookwright/…) against pages on other sites: a name rebound to
// 127.0.0.1 (DNS rebinding) arrives with its own Host; a page's fetch with its own Origin.
// test/remote/rebinding.test.ts walks every route; here are the edges of the checks.
const open: Receiver[] = []
afterEach(async () => {
  for (const r of open.splice(0)) await r.close()
})
async function receiver(options: Parameters<typeof createReceiver>[0] = {}) {
  const r = await createReceiver({ control: true, ...options })
  open.push(r)
  return r
}

async function get(r: Receiver, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${r.url}${path}`, { headers })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text }
}

/** The status a Host gets, sent raw: undici refuses to send some of these values. */
async function statusFor(r: Receiver, host: string): Promise<number> {
  const outcome = await rawExchange(
    r.url,
    `GET /_hookwright/deliveries HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  )
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(outcome.text)?.[1])
}

describe('the Host check of the harness paths', () => {
  it('refuses names that only look like loopback: under localhost, past 127.x.y.z, an open bracket', async () => {
    const r = await receiver()
    for (const host of [
      'evil.localhost',
      `evil.localhost:${r.port}`,
      '127.0.0.1234',
      '127.0.0',
      '1127.0.0.1',
      '[::1',
      `[::1:${r.port}`,
      '::1',
    ]) {
      expect([host, await statusFor(r, host)]).toEqual([host, 403])
    }
    // Every 127.x.y.z address is this machine.
    for (const host of ['127.1.2.3', `127.255.0.9:${r.port}`]) {
      expect([host, (await get(r, '/_hookwright/deliveries', { host })).status]).toEqual([
        host,
        200,
      ])
    }
  })

  it('answers 403 naming the refused Host, with no-store and nosniff', async () => {
    const r = await receiver()
    const res = await get(r, '/_hookwright/deliveries', { host: 'evil.test' })
    expect(res.status).toBe(403)
    expect(res.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(res.text)),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    expect(JSON.parse(res.text)).toEqual({
      error: {
        code: 'FORBIDDEN_HOST',
        message:
          'Host "evil.test" is not allowed here: open hookwright by localhost, 127.0.0.1 or [::1], ' +
          'or allow the name with allowedHosts (listen --allowed-host NAME). Callbacks under /h/ take any Host.',
      },
    })
  })

  it('refuses a request with no Host at all, saying so', async () => {
    const r = await receiver()
    // HTTP/1.0 may leave the Host out (node:http answers 400 to an HTTP/1.1 request without one).
    const outcome = await rawExchange(r.url, 'GET /_hookwright/deliveries HTTP/1.0\r\n\r\n')
    expect(outcome.text).toMatch(/^HTTP\/1\.1 403 /)
    expect(outcome.text).toContain('"message":"no Host header is not allowed here: ')
    const empty = await rawExchange(r.url, 'GET /_hookwright/deliveries HTTP/1.0\r\nHost:\r\n\r\n')
    expect(empty.text).toMatch(/^HTTP\/1\.1 403 /)
    expect(empty.text).toContain('"message":"no Host header is not allowed here: ')
    // A callback takes a request without a Host: senders are programs, not pages.
    const ep = r.endpoint()
    const callback = await rawExchange(
      r.url,
      `POST ${ep.path} HTTP/1.0\r\nContent-Length: 0\r\n\r\n`,
    )
    expect(callback.text).toMatch(/^HTTP\/1\.1 200 /)
  })

  it('on a receiver bound elsewhere, answers its own address and the allowed names only', () => {
    // Bound to every interface with no names allowed: nothing to check against, any Host.
    expect(hostCheck('0.0.0.0', undefined)).toBeUndefined()
    const v6 = hostCheck('fd00::7', ['ci.test'])!
    expect(['[fd00::7]:4400', '[FD00::7]', 'ci.test', 'localhost:1'].map(v6)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(['fd00::7', '[fd00::8]:4400', 'evil.test', '', undefined].map(v6)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ])
    const loopback = hostCheck('127.0.0.1', [])!
    expect(['', 'ci.test', '127.0.0.1:9'].map(loopback)).toEqual([false, false, true])
  })

  it('takes allowedHosts as names, ".names", addresses and ports, refusing anything else by index', async () => {
    for (const name of ['', 'a b', 'no/slash', 'x.', '..x', 'host:123456', 'host:', '[::1', 5]) {
      await expect(createReceiver({ allowedHosts: ['ok.test', name as never] })).rejects.toThrow(
        /^Invalid option `allowedHosts\[1\]`: expected a host name \("myhost\.test"\), "\.myhost\.test" for it and its subdomains, or an address, optionally with ":port", got /,
      )
    }
    await expect(createReceiver({ allowedHosts: 'ok.test' as never })).rejects.toThrow(
      /^Invalid option `allowedHosts`: expected an array of host names such as \["myhost\.test"\], got "ok\.test"\.$/,
    )
    const r = await receiver({
      allowedHosts: ['_svc.test', '[fd00::1]:8443', '10.0.0.2:80', 'Upper.Test', '.a-b.test'],
    })
    for (const host of ['_svc.test', '[fd00::1]:8443', '10.0.0.2:80', 'upper.test', 'x.a-b.test']) {
      expect([host, (await get(r, '/_hookwright/deliveries', { host })).status]).toEqual([
        host,
        200,
      ])
    }
    for (const host of ['[fd00::1]:8444', '10.0.0.2', 'a-b.test.evil']) {
      expect([host, (await get(r, '/_hookwright/deliveries', { host })).status]).toEqual([
        host,
        403,
      ])
    }
  })
})

describe('pages from other sites', () => {
  it("names the browser request it refuses: another site's fetch, or another origin", async () => {
    const r = await receiver()
    const crossSite = await get(r, '/_hookwright/deliveries', { 'sec-fetch-site': 'cross-site' })
    expect(crossSite.status).toBe(403)
    expect(JSON.parse(crossSite.text).error).toEqual({
      code: 'FORBIDDEN_ORIGIN',
      message:
        "The control API refuses a cross-site browser request (Sec-Fetch-Site: cross-site): only programs and the receiver's own pages may use it.",
    })
    const foreign = await get(r, '/_hookwright/deliveries', { origin: 'http://evil.example' })
    expect(foreign.status).toBe(403)
    expect(JSON.parse(foreign.text).error.message).toBe(
      'The control API refuses a page from another origin (Origin: "http://evil.example"): only programs and the receiver\'s own pages may use it.',
    )
  })

  it('takes its own origin in any letter case, and only with a matching Host', async () => {
    const r = await receiver()
    const own = `HTTP://127.0.0.1:${r.port}`
    expect((await get(r, '/_hookwright/deliveries', { origin: own })).status).toBe(200)
    // Allowed Host, but the Origin names another: a page on localhost is not this one.
    expect(
      (
        await get(r, '/_hookwright/deliveries', {
          origin: own,
          host: `localhost:${r.port}`,
        })
      ).status,
    ).toBe(403)
  })

  it('mints on GET only for its own navigations: a Referer that is not a URL is not one', async () => {
    const r = await receiver({ routes: [inspectorRoute()] })
    const mint = async (headers: Record<string, string>) =>
      (await get(r, `${INSPECTOR_PREFIX}new`, headers)).status
    expect(await mint({ referer: 'not a url' })).toBe(403)
    expect(await mint({ referer: `HTTP://127.0.0.1:${r.port}/somewhere` })).toBe(303)
    expect(await mint({ origin: `http://127.0.0.1:${r.port}` })).toBe(303)
    expect(
      await mint({ origin: `http://127.0.0.1:${r.port}`, referer: 'http://evil.example/' }),
    ).toBe(403)
    // A navigation (so the browser-request check is skipped) from a page on another origin,
    // by a browser that sends Origin but no Sec-Fetch-Site: refused.
    expect(await mint({ 'sec-fetch-mode': 'navigate', origin: 'http://evil.example' })).toBe(403)
    // Sec-Fetch-Site decides when a browser sends it, whatever the Referer says.
    expect(await mint({ 'sec-fetch-site': 'same-origin', referer: 'http://evil.example/' })).toBe(
      303,
    )
  })
})
