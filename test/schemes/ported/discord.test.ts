import { webcrypto } from 'node:crypto'
import { verifyKey } from 'discord-interactions'
import { describe, expect, it } from 'vitest'
import { discord, HookwrightError } from '../../../src/index.js'

/**
 * Ported from discord/discord-interactions-js `src/__tests__/verifyKey.ts` (with the request
 * bodies and signing of `src/__tests__/utils/SharedTestUtils.ts`). Requests are signed with
 * WebCrypto Ed25519, as the source does, and verified by hookwright's `discord` scheme and by the
 * installed discord-interactions `verifyKey`, which must both give the source test's answer.
 */
const SOURCE = 'discord/discord-interactions-js src/__tests__/verifyKey.ts'

const token = 'ThisIsATokenFromDiscordThatIsVeryLong'
const pingRequestBody = JSON.stringify({ id: '787053080478613555', token, type: 1, version: 1 })
const applicationCommandRequestBody = JSON.stringify({
  id: '787053080478613556',
  token,
  type: 2,
  version: 1,
  data: { id: '787053080478613554', name: 'test' },
})
const messageComponentRequestBody = JSON.stringify({
  id: '787053080478613555',
  token,
  type: 3,
  version: 1,
  data: { custom_id: 'test', component_type: 2 },
})
const autocompleteRequestBody = JSON.stringify({
  id: '787053080478613555',
  token,
  type: 4,
  version: 1,
  data: {
    id: '787053080478613554',
    name: 'test',
    type: 1,
    version: '787053080478613554',
    options: [{ type: 3, name: 'option', value: 'first_option', focused: true }],
  },
})

async function keyPair() {
  const pair = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const raw = await webcrypto.subtle.exportKey('raw', pair.publicKey)
  return { privateKey: pair.privateKey, publicKey: Buffer.from(raw).toString('hex') }
}

/** The source's signRequestWithKeyPair: Ed25519 over timestamp + body, as hex. */
async function signRequest(body: string, privateKey: CryptoKey, timestamp = '1700000000') {
  const signed = await webcrypto.subtle.sign('Ed25519', privateKey, Buffer.from(timestamp + body))
  return { body, signature: Buffer.from(signed).toString('hex'), timestamp }
}

type Request = { body: string | ArrayBuffer; signature: string; timestamp: string }

interface Case {
  test: string
  /** Builds the request from a request signed by the valid key and one signed by another key. */
  request(valid: Request, other: Request): Request
  accept: boolean
}

const caseFor = (test: string): Case => ({ test, request: (valid) => valid, accept: true })

const cases: Case[] = [
  { test: 'valid ping request', request: (valid) => valid, accept: true },
  // The source signs the ping body in these three; each is signed with its own body here.
  caseFor('valid application command'),
  caseFor('valid message component'),
  caseFor('valid autocomplete'),
  { test: 'invalid key', request: (_valid, other) => other, accept: false },
  {
    test: 'invalid body',
    request: (valid) => ({ ...valid, body: 'example invalid body' }),
    accept: false,
  },
  {
    test: 'invalid signature',
    request: (valid) => ({ ...valid, signature: 'example invalid signature' }),
    accept: false,
  },
  {
    test: 'invalid timestamp',
    request: (valid) => ({
      ...valid,
      body: 'example invalid body',
      timestamp: String(Number(valid.timestamp) - 10000),
    }),
    accept: false,
  },
  {
    test: 'supports array buffers',
    request: (valid) => ({
      ...valid,
      body: new TextEncoder().encode(valid.body as string).buffer as ArrayBuffer,
    }),
    accept: true,
  },
]

/** Source tests that hookwright's API cannot express, and why. */
const notExpressible = [
  {
    test: `${SOURCE}: invalid body data type ({} as the body)`,
    why: 'A body that is not a string, bytes or an ArrayBuffer is misuse in hookwright: verify throws HOOKWRIGHT_INVALID_OPTION (checked below) where verifyKey returns false.',
  },
]

describe(`ported: ${SOURCE}`, () => {
  it.each(cases)('$test', async (c) => {
    const valid = await keyPair()
    const other = await keyPair()
    const bodyFor = (test: string) =>
      test.startsWith('valid application')
        ? applicationCommandRequestBody
        : test.startsWith('valid message')
          ? messageComponentRequestBody
          : test.startsWith('valid autocomplete')
            ? autocompleteRequestBody
            : pingRequestBody
    const signedValid = await signRequest(bodyFor(c.test), valid.privateKey)
    const signedOther = await signRequest(pingRequestBody, other.privateKey)
    const request = c.request(signedValid, signedOther)
    const result = discord.verify({
      headers: {
        'x-signature-ed25519': request.signature,
        'x-signature-timestamp': request.timestamp,
      },
      body: request.body,
      secret: valid.publicKey,
    })
    expect(result.ok).toBe(c.accept)
    if (!result.ok) expect(result.reason).toBe('bad_signature')
    expect(
      await verifyKey(request.body, request.signature, request.timestamp, valid.publicKey),
    ).toBe(c.accept)
  })

  it('invalid body data type: misuse throws', async () => {
    const valid = await keyPair()
    const request = await signRequest(pingRequestBody, valid.privateKey)
    const headers = {
      'x-signature-ed25519': request.signature,
      'x-signature-timestamp': request.timestamp,
    }
    // @ts-expect-error the source passes {} as the body
    expect(() => discord.verify({ headers, body: {}, secret: valid.publicKey })).toThrow(
      HookwrightError,
    )
    expect(
      await verifyKey(
        {} as unknown as string,
        request.signature,
        request.timestamp,
        valid.publicKey,
      ),
    ).toBe(false)
  })

  it('lists the source tests it cannot express, each with why', () => {
    for (const entry of notExpressible) expect(entry.why.length).toBeGreaterThan(40)
  })
})
