import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { request } from 'undici'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithChromium, launchChromium } from '../browser.js'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'
import { inspectorRoute, inspectorUrl } from '../../src/inspector/route.js'
import { stripe } from '../../src/schemes/stripe.js'

const WAIT = { timeout: 5000 }
let browser: Browser
let receiver: Receiver
const problems: string[] = []

/** Opens the page and waits until its event stream is live; CSP violations and errors are collected. */
async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(url)
  await page.locator('#state', { hasText: 'live' }).waitFor(WAIT)
  return page
}

async function post(url: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await request(url, { method: 'POST', body, headers })
  await res.body.dump()
  return res.statusCode
}

describeWithChromium('the inspector page in Chromium', (executablePath) => {
  beforeAll(async () => {
    browser = await launchChromium(executablePath)
    receiver = await createReceiver({
      control: true,
      routes: [inspectorRoute({ endpoint: { name: 'browser test' } })],
    })
  })

  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
  })

  it('shows a delivery in every open tab, newest first, and renders hostile payloads as text', async () => {
    const ep = receiver.endpoint()
    const [a, b] = [
      await open(inspectorUrl(receiver, ep.id)),
      await open(inspectorUrl(receiver, ep.id)),
    ]
    expect(await a.locator('#callback').textContent()).toBe(ep.url)

    const hostile = '<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>'
    await post(
      `${ep.url}?q=${encodeURIComponent(hostile)}`,
      JSON.stringify({ type: 'invoice.paid', note: hostile }),
      {
        'content-type': 'application/json',
        'x-evil': hostile,
      },
    )
    for (const page of [a, b]) {
      await page.locator('.delivery').first().waitFor(WAIT)
      await page
        .locator('pre.body', { hasText: '"note": "<img src=x onerror=window.__pwned=1>' })
        .waitFor(WAIT)
    }
    await post(ep.url, hostile, { 'content-type': 'text/html' })
    for (const page of [a, b]) {
      await page.locator('.delivery').nth(1).waitFor(WAIT)
      const newest = page.locator('.delivery').first()
      expect(await newest.getAttribute('data-body')).toBe('text')
      expect(await newest.locator('pre.body').textContent()).toBe(hostile)
      expect(
        await page.locator('.delivery').nth(1).locator('td', { hasText: hostile }).count(),
      ).toBe(2)
      expect(await page.locator('main img, main script').count()).toBe(0)
      expect(
        await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
      ).toBeUndefined()
      expect(await page.locator('#count').textContent()).toBe('2 deliveries')
    }
    await a.close()
    await b.close()
  })

  it('asks for the token on a guarded receiver and goes live with #token=', async () => {
    const guarded = await createReceiver({
      control: { token: 't0k' },
      routes: [inspectorRoute({ token: 't0k' })],
    })
    try {
      const ep = guarded.endpoint()
      const page = await browser.newPage()
      await page.goto(inspectorUrl(guarded, ep.id))
      await page.locator('#state', { hasText: 'needs the token' }).waitFor(WAIT)
      await page.goto(inspectorUrl(guarded, ep.id, 't0k'))
      await page.reload()
      await page.locator('#state', { hasText: 'live' }).waitFor(WAIT)
      await post(ep.url, '{"guarded":true}', { 'content-type': 'application/json' })
      await page.locator('pre.body', { hasText: '"guarded": true' }).waitFor(WAIT)
      await page.close()
    } finally {
      await guarded.close()
    }
  })

  it('serves the page with a strict CSP that its own script satisfies', async () => {
    const ep = receiver.endpoint()
    const res = await request(inspectorUrl(receiver, ep.id))
    await res.body.dump()
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toMatch(
      /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-/,
    )
    expect(csp).not.toContain('unsafe')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    const page = await open(inspectorUrl(receiver, ep.id))
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows form fields, hex for binary, decodes gzip, and shows the verification result', async () => {
    const secret = 'whsec_browser'
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    const page = await open(inspectorUrl(receiver, ep.id))
    expect(await page.locator('#curl-try').textContent()).toBe(
      `echo '{"hello":"world"}' | hookwright sign - --scheme stripe --secret … --curl --to ${ep.url} | sh`,
    )
    await post(ep.url, 'Body=hello+there&From=%2B15550001', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    await page.locator('.delivery[data-body="form"] td', { hasText: 'hello there' }).waitFor(WAIT)
    await post(ep.url, Buffer.from([0, 1, 2, 0xff, 0x41]), {
      'content-type': 'application/octet-stream',
    })
    await page
      .locator('.delivery[data-body="hex"] pre.body', { hasText: '00000000  00 01 02 ff 41' })
      .waitFor(WAIT)
    await post(ep.url, gzipSync('{"zipped":true}'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    await page
      .locator('.delivery[data-body="json"] pre.body', { hasText: '"zipped": true' })
      .waitFor(WAIT)
    const newest = page.locator('.delivery').first()
    expect(await newest.locator('summary .badge').allTextContents()).toEqual([
      '401',
      'missing_header',
    ])
    const signed = stripe.sign({
      payload: {
        id: 'evt_1',
        object: 'event',
        type: 'invoice.paid',
        data: { object: { amount_paid: 2000, currency: 'usd' } },
      },
      secret,
    })
    await post(`${ep.url}?source=docs`, signed.body as string, {
      ...signed.headers,
      'content-type': 'application/json',
    })
    await page.locator('.delivery').first().locator('.badge', { hasText: 'stripe ✓' }).waitFor(WAIT)
    // Only the newest stays open; the earlier ones fold to their summary line.
    expect(await page.locator('details.delivery[open]').count()).toBe(1)
    await page.screenshot({ path: 'test-results/inspector.png', fullPage: true })
    await page.close()
  })

  it('previews only the start of a body that inflates past 1 MB and offers its raw bytes', async () => {
    const ep = receiver.endpoint()
    const page = await open(inspectorUrl(receiver, ep.id))
    // 64 MiB of text behind 64 KiB of gzip.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 'a'))
    await post(ep.url, bomb, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
    const card = page.locator('.delivery[data-body="preview"]').first()
    await card.waitFor(WAIT)
    expect(await card.locator('.preview-note').textContent()).toMatch(
      /^Preview: the first 1\.0 MB of the decoded body, which inflates further\./,
    )
    // The page holds the preview, not the 64 MiB.
    expect((await card.locator('pre.body').textContent())!.length).toBe(1024 * 1024)
    const [raw] = await Promise.all([
      page.waitForEvent('download', WAIT),
      card.getByRole('button', { name: 'Download raw body' }).click(),
    ])
    expect((await readFile((await raw.path())!)).equals(bomb)).toBe(true)
    expect(problems).toEqual([])
    await page.close()
  })

  it('downloads a delivery as JSON and as a fixture, copies it as curl, replays it and mints a new callback', async () => {
    const ep = receiver.endpoint()
    const target = await createReceiver()
    const targetEp = target.endpoint()
    try {
      const page = await open(inspectorUrl(receiver, ep.id))
      await post(ep.url, '{"id":"evt_42","object":"event","type":"customer.created"}', {
        'content-type': 'application/json',
        'x-trace': 'abc',
      })
      const card = page.locator('.delivery').first()
      await card.waitFor(WAIT)

      const [json] = await Promise.all([
        page.waitForEvent('download', WAIT),
        card.getByRole('button', { name: 'Download JSON' }).click(),
      ])
      const saved = JSON.parse(await readFile((await json.path())!, 'utf8'))
      expect(saved).toMatchObject({
        id: receiver.deliveries.at(-1)!.id,
        method: 'POST',
        bodyEncoding: 'base64',
      })

      const [fixture] = await Promise.all([
        page.waitForEvent('download', WAIT),
        card.getByRole('button', { name: 'Save as fixture' }).click(),
      ])
      expect(fixture.suggestedFilename()).toBe('stripe-customer.created.json')
      const fx = JSON.parse(await readFile((await fixture.path())!, 'utf8'))
      expect(fx).toMatchObject({
        provider: 'stripe',
        event: 'customer.created',
        payload: { id: 'evt_42' },
        headers: { 'x-trace': 'abc' },
      })

      await card.getByRole('button', { name: 'Copy as curl' }).click()
      const curl = await card.locator('textarea.curl').inputValue()
      expect(curl).toBe(
        `curl -sS -X POST ${ep.url} -H 'content-type: application/json' -H 'x-trace: abc' --data-raw '{"id":"evt_42","object":"event","type":"customer.created"}'`,
      )

      await card.locator('input.replay-url').fill(targetEp.url)
      await card.getByRole('button', { name: 'Replay' }).click()
      const [replayed] = await targetEp.waitFor({ timeout: 5000 })
      expect(replayed!.text()).toBe('{"id":"evt_42","object":"event","type":"customer.created"}')
      expect(replayed!.header('x-trace')).toBe('abc')
      await card.locator('.replay .result', { hasText: /^→ 200 in \d+ ms$/ }).waitFor(WAIT)

      await page.screenshot({ path: 'test-results/inspector-actions.png' })

      await page.getByRole('button', { name: 'New callback' }).click()
      await page.waitForURL((u) => !u.pathname.endsWith(ep.id), WAIT)
      const newId = new URL(page.url()).pathname.split('/').pop()!
      expect(receiver.getEndpoint(newId)?.options.name).toBe('browser test')
      await page.locator('#state', { hasText: 'live' }).waitFor(WAIT)
      expect(await page.locator('.delivery').count()).toBe(0)
      await page.close()
    } finally {
      await target.close()
    }
    expect(problems).toEqual([])
  })
})

// The docs show the screenshot the test took; refresh it with HOOKWRIGHT_DOCS_SCREENSHOT=1.
afterAll(async () => {
  if (process.env.HOOKWRIGHT_DOCS_SCREENSHOT) {
    await mkdir('docs', { recursive: true })
    await copyFile('test-results/inspector.png', 'docs/inspector.png')
  }
})
