import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Stripe from 'stripe'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReceiver } from '../../src/receiver/server.js'
import type { Receiver } from '../../src/receiver/types.js'
import { stripe } from '../../src/index.js'
import { cli } from './helpers.js'

const secret = 'whsec_send_test'
let receiver: Receiver
let dir: string

beforeAll(async () => {
  receiver = await createReceiver({ control: { token: 'tok' } })
  dir = await mkdtemp(join(tmpdir(), 'hw-send-'))
})
afterAll(() => receiver.close())

describe('hookwright send', () => {
  it('signs a fixture with its provider scheme; the official library accepts it', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret } })
    const { code, stdout } = await cli([
      'send',
      'stripe/invoice.paid',
      '--to',
      ep.url,
      '--secret',
      secret,
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^attempt 1 → 200 in \d+ ms\ndelivered\n$/)
    const [d] = await ep.waitFor()
    expect(d!.verification).toMatchObject({ ok: true, scheme: 'stripe' })
    const event = new Stripe('sk_test_x').webhooks.constructEvent(
      Buffer.from(d!.rawBody),
      d!.header('stripe-signature')!,
      secret,
    )
    expect(event.type).toBe('invoice.paid')
  })

  it('follows a retry policy and prints each attempt', async () => {
    const ep = receiver.endpoint({ respond: [500, 503, 200] })
    const file = join(dir, 'body.txt')
    await writeFile(file, 'plain body')
    const { code, stdout } = await cli([
      'send',
      file,
      '--to',
      ep.url,
      '--retry',
      'standardWebhooks',
      '--no-delay',
      '-H',
      'X-Run: 7',
    ])
    expect(code).toBe(0)
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      'attempt 1 got no 2xx; attempt 2 now (--no-delay)',
      'attempt 2 got no 2xx; attempt 3 now (--no-delay)',
      expect.stringMatching(/^attempt 1 → 500 in \d+ ms$/),
      expect.stringMatching(/^attempt 2 → 503 in \d+ ms$/),
      expect.stringMatching(/^attempt 3 → 200 in \d+ ms$/),
      'delivered after 3 attempts',
    ])
    const got = await ep.waitFor({ count: 3 })
    expect(got.map((d) => d.text())).toEqual(['plain body', 'plain body', 'plain body'])
    expect(got[0]!.header('x-run')).toBe('7')
  })

  it('signs stdin with --scheme standardWebhooks as the official library expects', async () => {
    const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`
    const ep = receiver.endpoint()
    const { code } = await cli(
      ['send', '-', '--to', ep.url, '--scheme', 'standardWebhooks', '--json'],
      '{"type":"user.created"}',
      {
        HOOKWRIGHT_SECRET: whsec,
      },
    )
    expect(code).toBe(0)
    const [d] = await ep.waitFor()
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, d!.header(h)!]),
    )
    expect(new Webhook(whsec).verify(d!.text(), headers)).toEqual({ type: 'user.created' })
  })

  it('runs N deliveries at a concurrency and prints NDJSON per delivery and a summary', async () => {
    const ep = receiver.endpoint({ respond: [200, 200, 410] })
    const { code, stdout } = await cli([
      'send',
      'github/push',
      '--to',
      ep.url,
      '--times',
      '3',
      '--concurrency',
      '2',
      '--json',
    ])
    expect(code).toBe(1)
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(4)
    expect(
      lines
        .slice(0, 3)
        .map((l) => l.final)
        .sort(),
    ).toEqual(['delivered', 'delivered', 'gone'])
    expect(lines[3].summary).toMatchObject({ sent: 3, delivered: 2, failed: 1 })
    const got = await ep.waitFor({ count: 3 })
    expect(new Set(got.map((d) => d.header('x-github-delivery'))).size).toBe(3)
  })

  it('prints progress lines instead of every attempt on long runs', async () => {
    const ep = receiver.endpoint()
    const { code, stdout } = await cli(
      ['send', '-', '--to', ep.url, '--times', '25', '-c', '5'],
      'x',
    )
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^25 sent to http:\S+: 25 delivered, 0 failed; first attempt p50 \d+ ms, p99 \d+ ms\n$/,
    )
  })

  it('reports a connection failure as a result, exit 1', async () => {
    const closed = await createReceiver()
    const url = `${closed.url}/h/gone`
    await closed.close()
    const { code, stdout } = await cli(['send', '-', '--to', url], 'x')
    expect(code).toBe(1)
    expect(stdout).toMatch(
      /^attempt 1 → no answer \(ECONNREFUSED\) in \d+ ms\nnot delivered \(one attempt: --retry none; pass --retry POLICY to retry\)\n$/,
    )
  })

  it('prints the receiver\'s reason for a refusal, and no "exhausted" after one attempt', async () => {
    const ep = receiver.endpoint({ verify: { scheme: 'stripe', secret: 'whsec_right' } })
    const { code, stdout } = await cli(
      ['send', 'stripe/invoice.paid', '--to', ep.url, '--secret', 'whsec_wrong'],
      '',
    )
    expect(code).toBe(1)
    expect(stdout).toMatch(/^attempt 1 → 401 in \d+ ms: bad_signature — .+\n/)
    expect(stdout).not.toMatch(/exhausted/)
    expect(stdout).toMatch(
      /\nnot delivered \(one attempt: --retry none; pass --retry POLICY to retry\)\n$/,
    )
  })

  it.each([
    [
      ['send', 'stripe/invoice.piad', '--to', 'http://127.0.0.1:9/'],
      2,
      /No fixture named "stripe\/invoice\.piad"\. Did you mean "stripe\/invoice\.paid".*`hookwright fixtures` lists all \d+\.$/m,
    ],
    [
      ['send', 'missing.json', '--to', 'http://127.0.0.1:9/'],
      2,
      /cannot read "missing\.json" \(ENOENT\)/,
    ],
    [
      ['send', '-', '--to', 'http://127.0.0.1:9/', '--retry', 'often'],
      2,
      /unknown --retry "often"\. Policies: standardWebhooks, /,
    ],
    [
      ['send', '-', '--to', 'http://127.0.0.1:9/', '--scheme', 'stripe'],
      2,
      /--secret is required to sign as stripe/,
    ],
    [['send', '-', '--to', 'http://127.0.0.1:9/', '--secret', 'x'], 2, /--secret needs --scheme/],
    [
      ['send', '-', '--to', 'http://127.0.0.1:9/', '--scheme', 'nope', '--secret', 'x'],
      2,
      /Unknown scheme "nope"/,
    ],
    [['send', '-'], 2, /--to is required/],
    [['send', '--to', 'http://127.0.0.1:9/'], 2, /give what to send/],
    [
      ['send', '-', '--to', 'http://127.0.0.1:9/', '--times', '0'],
      2,
      /--times must be a whole number from 1/,
    ],
  ])('refuses %j', async (argv, exit, message) => {
    const { code, stderr } = await cli(argv as string[], 'x')
    expect(code).toBe(exit)
    expect(stderr).toMatch(message)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
  })
})

describe('hookwright export and replay', () => {
  it('exports NDJSON and HAR from the control API and replays them, re-signed on request', async () => {
    const source = receiver.endpoint()
    const signed = stripe.sign({
      payload: { id: 'evt_export', type: 'invoice.paid' },
      secret: 'whsec_prod',
    })
    await fetch(`${source.url}?via=test`, {
      method: 'POST',
      headers: { ...signed.headers, 'content-type': 'application/json' },
      body: signed.body as string,
    })
    await fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 159, 146, 150]),
    })
    await source.waitFor({ count: 2 })

    const ndjson = join(dir, 'out.ndjson')
    const exported = await cli([
      'export',
      '--from',
      receiver.url,
      '--token',
      'tok',
      '--endpoint',
      source.id,
      '--out',
      ndjson,
      '--json',
    ])
    expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(exported.stdout)).toEqual({ exported: 2, format: 'ndjson', out: ndjson })
    const har = await cli(
      ['export', '--from', receiver.url, '--format', 'har', '--endpoint', source.id],
      '',
      { HOOKWRIGHT_TOKEN: 'tok' },
    )
    const log = JSON.parse(har.stdout).log
    expect(log.entries).toHaveLength(2)
    expect(log.entries[0].request).toMatchObject({
      method: 'POST',
      url: `${source.url}?via=test`,
      postData: { text: signed.body },
    })
    expect(log.entries[1].request.postData).toEqual({
      mimeType: 'application/octet-stream',
      text: 'AJ+Slg==',
      encoding: 'base64',
    })
    const harFile = join(dir, 'out.har')
    await writeFile(harFile, har.stdout)

    // Byte for byte: the old signature still verifies against the old secret.
    const target = receiver.endpoint({ verify: { scheme: 'stripe', secret: 'whsec_prod' } })
    const replayed = await cli(['replay', ndjson, '--to', target.url])
    expect(replayed.stdout).toMatch(
      /^1\/2 POST \/h\/\S+\?via=test \(\S+\) → 200 in \d+ ms\n2\/2 POST \/h\/\S+ \(\S+\) → 401 in \d+ ms\n$/,
    )
    expect(replayed.code).toBe(1)
    const [first, second] = await target.waitFor({ count: 2 })
    expect(first!.text()).toBe(signed.body)
    expect(Buffer.from(second!.rawBody)).toEqual(Buffer.from([0, 159, 146, 150]))

    // Re-signed with a test secret, from the HAR file.
    const test = receiver.endpoint({ verify: { scheme: 'stripe', secret: 'whsec_local' } })
    const resigned = await cli([
      'replay',
      harFile,
      '--to',
      test.url,
      '--resign',
      '--scheme',
      'stripe',
      '--secret',
      'whsec_local',
      '--json',
    ])
    expect(resigned.code).toBe(0)
    expect(
      resigned.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).status),
    ).toEqual([200, 200])
    const again = await test.waitFor({ count: 2 })
    expect(again.map((d) => d.verification?.ok)).toEqual([true, true])
    expect(again[0]!.text()).toBe(signed.body)
    expect(await readFile(ndjson, 'utf8')).not.toContain('whsec')
  })

  it.each([
    [['export'], /--from is required/],
    [
      ['export', '--from', 'http://127.0.0.1:9', '--format', 'csv'],
      /--format must be ndjson or har/,
    ],
    [['replay', '-', '--to', 'http://127.0.0.1:9/'], /holds no deliveries/],
    [['replay', '/nope.ndjson', '--to', 'http://127.0.0.1:9/'], /cannot read "\/nope\.ndjson"/],
    [
      ['replay', '-', '--to', 'http://127.0.0.1:9/', '--scheme', 'stripe'],
      /--scheme only applies with --resign/,
    ],
    [
      ['replay', '-', '--to', 'http://127.0.0.1:9/', '--resign', '--scheme', 'stripe'],
      /--secret is required/,
    ],
    [['replay', '--to', 'http://127.0.0.1:9/'], /give the captures to replay/],
  ])('refuses %j with exit 2', async (argv, message) => {
    const { code, stderr } = await cli(argv as string[])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
  })

  it('refuses files that are neither NDJSON deliveries nor HAR', async () => {
    const cases: Array<[string, RegExp]> = [
      ['not json\n', /line 1 is not JSON/],
      ['{"a":1}\n', /line 1 is not a delivery/],
      ['{"log":{}}', /HAR file without log\.entries/],
      ['{"log":{"entries":[{}]}}', /HAR entry 1 has no request/],
    ]
    for (const [text, message] of cases) {
      const { code, stderr } = await cli(['replay', '-', '--to', 'http://127.0.0.1:9/'], text)
      expect(code).toBe(2)
      expect(stderr).toMatch(message)
    }
  })

  it('fails export with one line when the receiver refuses the token', async () => {
    const { code, stderr } = await cli(['export', '--from', receiver.url, '--token', 'wrong'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^hookwright export: .*token/)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).not.toContain('wrong')
    expect(stderr).toContain('refused the control token (--token or HOOKWRIGHT_TOKEN)')
    expect(stderr).not.toContain('connectReceiver')
  })

  it('advises --token or HOOKWRIGHT_TOKEN when export gives none', async () => {
    const { code, stderr } = await cli(['export', '--from', receiver.url])
    expect(code).toBe(1)
    expect(stderr).toMatch(
      /^hookwright export: The receiver at http:\S+ needs a control token \(.+ answered 401\): pass --token or set HOOKWRIGHT_TOKEN\.\n$/,
    )
  })
})

describe('hookwright fixtures', () => {
  it('lists fixtures, filters by provider and shows one with fresh ids', async () => {
    const all = await cli(['fixtures'])
    expect(all.stdout).toMatch(/^stripe\/invoice\.paid +\S/m)
    const stripeOnly = await cli(['fixtures', 'list', '--provider', 'stripe', '--json'])
    const lines = stripeOnly.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.every((f) => f.provider === 'stripe')).toBe(true)
    expect(lines.map((f) => f.name)).toContain('stripe/invoice.paid')
    const show = await cli(['fixtures', 'show', 'stripe/invoice.paid'])
    expect(show.stdout).toMatch(/^# stripe invoice\.paid: /)
    expect(show.stdout).toMatch(/"type": "invoice\.paid"/)
    const json = JSON.parse((await cli(['fixtures', 'show', 'github/push', '--json'])).stdout)
    expect(json).toMatchObject({
      name: 'github/push',
      provider: 'github',
      headers: { 'x-github-event': 'push' },
    })
  })

  it.each([
    [['fixtures', 'show'], /give the fixture to show/],
    [['fixtures', 'show', 'stripe/nope'], /No fixture/],
    [['fixtures', 'remove'], /unknown action "remove"/],
    [
      ['fixtures', 'list', '--provider', 'acme'],
      /no fixtures for provider "acme"\. Providers: stripe/,
    ],
    [['fixtures', 'list', 'x'], /unexpected argument "x" after list/],
  ])('refuses %j with exit 2', async (argv, message) => {
    const { code, stderr } = await cli(argv as string[])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
  })
})
