import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Stripe from 'stripe'
import { beforeAll, describe, expect, it } from 'vitest'
import { cli } from './helpers.js'

const secret = 'whsec_cli_test'
const body = JSON.stringify({ id: 'evt_cli', object: 'event', type: 'invoice.paid' })
const official = new Stripe('sk_test_dummy')
let dir: string
let file: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hw-cli-'))
  file = join(dir, 'event.json')
  await writeFile(file, body)
})

describe('hookwright sign', () => {
  it('prints a Stripe-Signature the official library accepts, without the secret', async () => {
    const { code, stdout, stderr } = await cli([
      'sign',
      file,
      '--scheme',
      'stripe',
      '--secret',
      secret,
    ])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    const header = stdout.match(/^stripe-signature: (.+)$/m)?.[1]
    expect(header).toBeDefined()
    expect(official.webhooks.constructEvent(body, header!, secret).id).toBe('evt_cli')
    expect(stdout).not.toContain(secret)
  })

  it('reads the body from stdin and the secret from HOOKWRIGHT_SECRET, with --json', async () => {
    const { code, stdout } = await cli(
      ['sign', '-', '--scheme', 'stripe', '--timestamp', '1700000000', '--json'],
      body,
      { HOOKWRIGHT_SECRET: secret },
    )
    expect(code).toBe(0)
    const out = JSON.parse(stdout)
    expect(out.scheme).toBe('stripe')
    expect(out.headers['stripe-signature']).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/)
  })

  it('prints a curl command that quotes the body for the shell', async () => {
    const tricky = join(dir, 'quote.json')
    await writeFile(tricky, `{"text":"it's @here"}`)
    const { code, stdout } = await cli([
      'sign',
      tricky,
      '--scheme',
      'stripe',
      '--secret',
      secret,
      '--curl',
      '--to',
      'http://127.0.0.1:9/h/x',
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^curl -sS -X POST http:\/\/127\.0\.0\.1:9\/h\/x -H 'content-type: application\/json' -H 'stripe-signature: t=\d+,v1=[0-9a-f]{64}' --data-raw '\{"text":"it'\\''s @here"\}'\n$/,
    )
  })

  it('points curl at the file for a binary body', async () => {
    const bin = join(dir, 'body.bin')
    await writeFile(bin, Buffer.from([0, 1, 2, 255]))
    const { stdout } = await cli([
      'sign',
      bin,
      '--scheme',
      'stripe',
      '--secret',
      secret,
      '--curl',
      '--to',
      'http://127.0.0.1:9/',
    ])
    expect(stdout).toContain(`--data-binary @${bin}`)
    expect(stdout).not.toContain('content-type')
    const fromStdin = await cli(
      [
        'sign',
        '-',
        '--scheme',
        'stripe',
        '--secret',
        secret,
        '--curl',
        '--to',
        'http://127.0.0.1:9/',
      ],
      Buffer.from([0, 255]),
    )
    expect(fromStdin.code).toBe(2)
    expect(fromStdin.stderr).toMatch(/binary body from stdin/)
  })

  it.each([
    [
      ['sign', 'x.json', '--scheme', 'nope', '--secret', 's'],
      /^hookwright sign: Unknown scheme "nope"\. Known schemes: .*stripe/,
    ],
    [['sign', 'x.json', '--scheme', 'stripe'], /^hookwright sign: --secret is required/],
    [['sign', '--scheme', 'stripe', '--secret', 's'], /give the body to sign/],
    [
      ['sign', '/nonexistent/x.json', '--scheme', 'stripe', '--secret', 's'],
      /cannot read "\/nonexistent\/x\.json" \(ENOENT\)/,
    ],
    [['sign', 'x.json', '--bogus'], /Unknown option '--bogus'\. See `hookwright sign --help`/],
    [['sign', 'a', 'b', '--scheme', 'stripe', '--secret', 's'], /unexpected argument "b"/],
    [
      ['sign', 'x.json', '--scheme', 'stripe', '--secret', '-s'],
      /--secret needs a value, and the next argument starts with '-': write a value that starts with '-' as --secret=<value>\. See `hookwright sign --help`/,
    ],
    [['sign', '-', '--scheme', 'stripe', '--secret', 's', '--curl'], /--to is required/],
    [
      ['sign', '-', '--scheme', 'stripe', '--secret', 's', '--curl', '--to', 'ftp://x'],
      /--to must be an http\(s\) URL/,
    ],
    [
      ['sign', '-', '--scheme', 'stripe', '--secret', 's', '--curl', '--to', 'nope'],
      /--to must be an absolute/,
    ],
    [
      ['sign', '-', '--scheme', 'stripe', '--secret', 's', '--timestamp', '17e8'],
      /--timestamp must be Unix seconds/,
    ],
  ])('refuses %j with one line and exit 2', async (argv, message) => {
    const { code, stderr, stdout } = await cli(argv as string[])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stdout).toBe('')
    expect(stderr).not.toMatch(/\bs\b.*secret/)
  })

  it('prints help with an example', async () => {
    const { code, stdout } = await cli(['sign', '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: hookwright sign/m)
    expect(stdout).toMatch(/^ {2}\$ hookwright sign event\.json --scheme stripe/m)
  })
})

describe('hookwright verify', () => {
  const header = () => official.webhooks.generateTestHeaderString({ payload: body, secret })

  it('prints ok for what the official library signed', async () => {
    const { code, stdout } = await cli(
      [
        'verify',
        '--scheme',
        'stripe',
        '--secret',
        secret,
        '--header',
        `Stripe-Signature: ${header()}`,
      ],
      body,
    )
    expect(stdout).toBe('ok\n')
    expect(code).toBe(0)
  })

  it('prints the reason and exits 1 for a tampered body; --json gives the result', async () => {
    const argv = [
      'verify',
      '--scheme',
      'stripe',
      '--secret',
      secret,
      '-H',
      `stripe-signature: ${header()}`,
    ]
    const bad = await cli(argv, `${body} `)
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/^bad_signature: /)
    const json = await cli([...argv, '--json'], `${body} `)
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      scheme: 'stripe',
    })
  })

  it('reads --body from a file and honours --now and --tolerance', async () => {
    const argv = ['verify', '--scheme', 'stripe', '--secret', secret, '--body', file]
    const signed = await cli([
      'sign',
      file,
      '--scheme',
      'stripe',
      '--secret',
      secret,
      '--timestamp',
      '1700000000',
    ])
    const h = signed.stdout.trim()
    const old = await cli([...argv, '-H', h, '--now', '1700000400'])
    expect(old.stdout).toMatch(/^timestamp_too_old: /)
    const tolerant = await cli([...argv, '-H', h, '--now', '1700000400', '--tolerance', '500'])
    expect(tolerant.stdout).toBe('ok\n')
  })

  it.each([
    [
      ['verify', '--scheme', 'stripe', '--secret', 's'],
      /give the signature header with --header, e\.g\. --header 'stripe-signature: …'/,
    ],
    [
      ['verify', '--scheme', 'stripe', '--secret', 's', '-H', 'nocolon'],
      /--header must look like 'Name: value'/,
    ],
    [
      ['verify', '--scheme', 'stripe', '--secret', 's', '-H', 'a: b', '--tolerance=-1'],
      /--tolerance must be a whole number/,
    ],
    [['verify', '--secret', 's', '-H', 'a: b'], /--scheme is required \(one of .*stripe/],
  ])('refuses %j with exit 2', async (argv, message) => {
    const { code, stderr } = await cli(argv as string[])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
  })

  it('prints a JSON error with --json', async () => {
    const { code, stdout } = await cli(['verify', '--scheme', 'nope', '--secret', 's', '--json'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout)).toEqual({
      error: {
        code: 'HOOKWRIGHT_UNKNOWN_SCHEME',
        message: expect.stringMatching(/Unknown scheme "nope"/),
      },
    })
  })
})

describe('hookwright', () => {
  it('lists the commands, refuses an unknown one and prints its version', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^ {2}listen +run a receiver/m)
    expect((await cli([])).code).toBe(2)
    const unknown = await cli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe(
      'hookwright: unknown command "frobnicate". Commands: listen, send, sign, verify, replay, export, fixtures, check.\n',
    )
    const typo = await cli(['lisen', '--port', '0'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toBe(
      'hookwright: unknown command "lisen". Did you mean `hookwright listen`? Commands: listen, send, sign, verify, replay, export, fixtures, check.\n',
    )
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})
