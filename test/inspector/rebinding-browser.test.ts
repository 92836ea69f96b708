import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { request } from 'undici'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithChromium, launchChromium } from '../browser.js'
import { inspectorRoute } from '../../src/inspector/route.js'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'

// Two attacks a web page can make on `hookwright listen` from the user's own browser, in real
// Chromium: (1) DNS rebinding, where the page's own name (rebound.test) resolves to 127.0.0.1, so
// its requests to the receiver are same-origin; (2) plain cross-site requests from a page on
// another origin (a second server on 127.0.0.2).
const REBOUND = 'rebound.test'
let browser: Browser
let receiver: Receiver
let attacker: Server
let attackerOrigin: string

/** A webhook carrying a secret, as the victim's sender delivers it. */
async function capturedSecret(): Promise<void> {
  const res = await request(receiver.endpoint().url, {
    method: 'POST',
    body: '{"token":"sk_live_rebinding"}',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk_live_rebinding' },
  })
  await res.body.dump()
}

/** Endpoints minted through the control API, asked as a program would (no Origin). */
async function minted(): Promise<number> {
  const res = await request(`${receiver.url}/_hookwright/endpoints`)
  return ((await res.body.json()) as { endpoints: unknown[] }).endpoints.length
}

describeWithChromium('a web page in Chromium cannot use the receiver', (executablePath) => {
  beforeAll(async () => {
    browser = await launchChromium(executablePath, [
      // What the attacker's DNS server does after the page has loaded.
      `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`,
      // As in browsers without Private or Local Network Access checks (Firefox, Safari): Chromium
      // itself would block a public page's requests to loopback.
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
    ])
    receiver = await createReceiver({ control: true, routes: [inspectorRoute()] })
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<!doctype html><title>a page on another origin</title>')
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.2', resolve))
    attackerOrigin = `http://127.0.0.2:${(attacker.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
    await new Promise((resolve) => attacker?.close(resolve))
  })

  it('reads no deliveries and mints nothing after rebinding its name to 127.0.0.1', async () => {
    await capturedSecret()
    const before = await minted()
    const page = await browser.newPage()
    const pageUrl = `http://${REBOUND}:${receiver.port}/attack.html`
    // The attacker's server served this page before the name was rebound.
    await page.route(pageUrl, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }),
    )
    await page.goto(pageUrl)
    const got = await page.evaluate(async () => {
      const read = async (path: string, init?: RequestInit) => {
        const res = await fetch(path, init)
        return { status: res.status, text: await res.text() }
      }
      return {
        deliveries: await read('/_hookwright/deliveries'),
        events: await read('/_hookwright/events?replay=1', {
          signal: AbortSignal.timeout(3000),
        }).catch((e: Error) => ({ status: -1, text: e.message })),
        mint: await read('/_hookwright/endpoints', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
        clear: await read('/_hookwright/deliveries', { method: 'DELETE' }),
      }
    })
    expect(got.deliveries.status).toBe(403)
    expect(got.deliveries.text).toContain(`rebound.test:${receiver.port}`)
    expect(got.events.status).toBe(403)
    expect(got.mint.status).toBe(403)
    expect(got.clear.status).toBe(403)
    expect(JSON.stringify(got)).not.toContain('sk_live_rebinding')
    expect(await minted()).toBe(before)
    expect(receiver.deliveries.length).toBeGreaterThan(0)
    await page.close()
  })

  it('reads no deliveries and changes nothing from a page on another origin', async () => {
    await capturedSecret()
    const before = await minted()
    const page = await browser.newPage()
    await page.goto(`${attackerOrigin}/`)
    const outcome = await page.evaluate(async (target) => {
      const tries: Record<string, string> = {}
      const attempt = async (name: string, url: string, init?: RequestInit) => {
        try {
          const res = await fetch(url, init)
          tries[name] = `${res.type} ${res.status} ${await res.text()}`
        } catch (error) {
          tries[name] = `failed: ${(error as Error).name}`
        }
      }
      await attempt('read', `${target}/_hookwright/deliveries`)
      // "Simple" requests, sent without a preflight: they reach the server, unreadable.
      await attempt('mint', `${target}/_hookwright/endpoints`, { method: 'POST', mode: 'no-cors' })
      await attempt('mintPlain', `${target}/_hookwright/endpoints`, {
        method: 'POST',
        mode: 'no-cors',
        headers: { 'content-type': 'text/plain' },
        body: '{}',
      })
      await attempt('inspectNew', `${target}/_hookwright/inspect/new`, { mode: 'no-cors' })
      return tries
    }, receiver.url)
    expect(outcome.read).toBe('failed: TypeError')
    expect(outcome.mint).toBe('opaque 0 ')
    expect(JSON.stringify(outcome)).not.toContain('sk_live_rebinding')
    // What counts: the receiver minted nothing and still holds the deliveries.
    expect(await minted()).toBe(before)
    expect(receiver.deliveries.length).toBeGreaterThan(0)
    await page.close()
  })
})
