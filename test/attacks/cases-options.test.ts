import { afterEach, describe, expect, it, vi } from 'vitest'
import { uniquePayload } from '../../src/attacks/cases.js'
import { badDeliveries, getScheme, HookwrightError, type BadDelivery } from '../../src/index.js'
import { twilioJson } from './twilio-json.js'

/**
 * badDeliveries' options and the details of its cases that a user reads or sends: the errors
 * for misuse (code, option, accepted values), the defaults, the descriptions printed in
 * reports, the JSON cases, the oversized body, and the request each case becomes.
 */
const NOW = 1_700_000_000
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', amount: 1200 }
const find = (cases: BadDelivery[], name: string) => cases.find((c) => c.name === name)
const names = (cases: BadDelivery[]) => cases.map((c) => c.name)
const text = (body: string | Uint8Array) => Buffer.from(body).toString('utf8')

const misuse = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(HookwrightError)
    return { code: (error as HookwrightError).code, message: (error as Error).message }
  }
  return expect.unreachable('expected a HookwrightError')
}

afterEach(() => {
  vi.useRealTimers()
})

describe('misuse throws, naming the option and what it takes', () => {
  const invalid = (message: string) => ({ code: 'HOOKWRIGHT_INVALID_OPTION', message })

  it('options that are not an object', () => {
    for (const options of [null, 'stripe', 5]) {
      expect(misuse(() => badDeliveries('stripe', options as never))).toEqual(
        invalid(
          expect.stringMatching(
            /^Invalid option `badDeliveries\(scheme, options\)`: expected an object \{ payload, secret, … \}, got /,
          ),
        ),
      )
    }
  })

  it('an unknown option, listing the known ones', () => {
    expect(
      misuse(() => badDeliveries('stripe', { payload, secret: 's', tolerence: 5 } as never)),
    ).toEqual(
      invalid(
        'Invalid option `badDeliveries({ tolerence })`: expected one of payload, secret, verifySecret, url, tolerance, now, id, maxBodyBytes, got "tolerence".',
      ),
    )
  })

  it('every known option is taken', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', {
      payload,
      secret,
      verifySecret: secret,
      url: 'https://example.com/hooks',
      tolerance: 60,
      now: NOW,
      id: 'msg_all',
      maxBodyBytes: 200,
    })
    expect(cases[0]!.headers['webhook-id']).toBe('msg_all')
    expect(text(find(cases, 'oversized-body')!.body)).toHaveLength(201)
  })

  it('a missing or empty secret', () => {
    expect(misuse(() => badDeliveries('stripe', { payload } as never))).toEqual({
      code: 'HOOKWRIGHT_MISSING_SECRET',
      message: 'badDeliveries: `secret` must be a non-empty string (none was given).',
    })
    for (const secret of ['', 5]) {
      expect(misuse(() => badDeliveries('stripe', { payload, secret } as never))).toEqual({
        code: 'HOOKWRIGHT_MISSING_SECRET',
        message: 'badDeliveries: `secret` must be a non-empty string.',
      })
    }
  })

  it('a missing payload', () => {
    for (const p of [undefined, null]) {
      expect(misuse(() => badDeliveries('stripe', { payload: p as never, secret: 's' }))).toEqual(
        invalid(
          `Invalid option \`payload\`: expected an object, a string or a Uint8Array, got ${String(p)}.`,
        ),
      )
    }
  })

  it('a url that is not an absolute URL', () => {
    for (const url of ['/hooks', 5]) {
      expect(misuse(() => badDeliveries('stripe', { payload, secret: 's', url } as never))).toEqual(
        invalid(expect.stringMatching(/^Invalid option `url`: expected an absolute URL, got /)),
      )
    }
  })

  it('a tolerance that is not a number of seconds >= 0 (0 is one)', () => {
    for (const tolerance of [-1, Number.NaN, '5']) {
      expect(
        misuse(() => badDeliveries('stripe', { payload, secret: 's', tolerance } as never)),
      ).toEqual(
        invalid(
          expect.stringMatching(/^Invalid option `tolerance`: expected a number of seconds >= 0/),
        ),
      )
    }
    expect(names(badDeliveries('stripe', { payload, secret: 's', tolerance: 0 }))).toContain(
      'timestamp-too-old',
    )
  })

  it('a maxBodyBytes outside 1 to 268435456 whole bytes (1 is inside)', () => {
    for (const maxBodyBytes of [0, -5, 1.5, 268_435_457, '10']) {
      expect(
        misuse(() => badDeliveries('stripe', { payload, secret: 's', maxBodyBytes } as never)),
      ).toEqual(
        invalid(
          expect.stringMatching(
            /^Invalid option `maxBodyBytes`: expected a whole number of bytes from 1 to 268435456, got /,
          ),
        ),
      )
    }
    const big = find(
      badDeliveries('hmac', { payload: 'x', secret: 's', maxBodyBytes: 1 }),
      'oversized-body',
    )!
    expect(big.body).toBe('xx')
  })
})

describe('defaults', () => {
  it('now is the current time, the message id a fresh msg_ id, verifySecret the secret', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW * 1000 + 999)
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const first = badDeliveries('standardWebhooks', { payload, secret })
    const second = badDeliveries('standardWebhooks', { payload, secret })
    expect(first[0]!.headers['webhook-timestamp']).toBe(String(NOW))
    expect(first[0]!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/)
    expect(second[0]!.headers['webhook-id']).not.toBe(first[0]!.headers['webhook-id'])
    // The reasons come from verifying with the secret itself.
    expect(find(first, 'tampered-body')!.reason).toBe('bad_signature')
    expect(find(first, 'timestamp-too-old')!.reason).toBe('timestamp_too_old')
  })

  it("the scheme's tolerance: Stripe's 300 s, Linear's 60 s", () => {
    const linear = badDeliveries('linear', { payload, secret: 's', now: NOW })
    expect(find(linear, 'timestamp-too-old')!.description).toBe(
      'Validly signed 65 s ago: just past the 60 s tolerance.',
    )
  })

  it('reasons come from verifySecret when it is given (asymmetric schemes)', () => {
    const { signSecret, verifySecret } = getScheme('discord').generateSecret()
    const cases = badDeliveries('discord', { payload, secret: signSecret, verifySecret, now: NOW })
    expect(find(cases, 'tampered-body')!.reason).toBe('bad_signature')
    expect(find(cases, 'missing-signature-header')!.reason).toBe('missing_header')
  })

  it.each([
    ["another key pair's public key", () => getScheme('discord').generateSecret().verifySecret],
    ['text that is no key', () => 'not-a-key'],
  ])('refuses a verifySecret that does not verify the valid delivery: %s', (_, wrong) => {
    const { signSecret, verifySecret } = getScheme('discord').generateSecret()
    const given = wrong()
    const error = misuse(() =>
      badDeliveries('discord', { payload, secret: signSecret, verifySecret: given, now: NOW }),
    )
    expect(error.code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect(error.message).toBe(
      'Invalid option `verifySecret`: expected the key that verifies what `secret` signs for discord (its public key, for a scheme that signs with a private one), got (hidden).',
    )
    expect(error.message).not.toContain(given)
    // Without verifySecret nothing is refused: SendGrid's private key verifies nothing, so its
    // cases come without reasons.
    const sendgridKeys = getScheme('sendgrid').generateSecret()
    const unchecked = badDeliveries('sendgrid', { payload, secret: sendgridKeys.signSecret })
    expect(find(unchecked, 'tampered-body')!.reason).toBeUndefined()
    // The right key still works, and so does a symmetric scheme's own secret given twice.
    expect(badDeliveries('discord', { payload, secret: signSecret, verifySecret }).length).toBe(
      badDeliveries('discord', { payload, secret: signSecret, verifySecret, now: NOW }).length,
    )
    expect(() =>
      badDeliveries('stripe', { payload, secret: 'whsec_x', verifySecret: 'whsec_x' }),
    ).not.toThrow()
    expect(
      misuse(() => badDeliveries('stripe', { payload, secret: 'whsec_x', verifySecret: 'whsec_y' }))
        .code,
    ).toBe('HOOKWRIGHT_INVALID_OPTION')
  })
})

describe('what the cases say', () => {
  it('descriptions name the header, the seconds and the bytes', () => {
    const cases = badDeliveries('standardWebhooks', {
      payload,
      secret: getScheme('standardWebhooks').generateSecret().signSecret,
      now: NOW,
      maxBodyBytes: 100,
    })
    const said = Object.fromEntries(cases.map((c) => [c.name, c.description]))
    expect(said).toMatchObject({
      valid: 'A correctly signed delivery: must be accepted.',
      'missing-signature-header': 'No webhook-signature header.',
      'missing-header-webhook-id': 'No webhook-id header.',
      'malformed-signature-header':
        'The webhook-signature header holds text that is not a signature at all.',
      'empty-signature':
        'The webhook-signature header keeps its prefix but the signature itself is empty.',
      'timestamp-too-old': 'Validly signed 305 s ago: just past the 300 s tolerance.',
      'timestamp-in-future':
        'Validly signed 305 s in the future: just past the tolerance on the other side.',
      'timestamp-just-inside': 'Validly signed 295 s ago: inside the 300 s tolerance, so accepted.',
      'oversized-body':
        'A validly signed body of 101 bytes, one past the 100-byte maximum the provider sends: refused with a 4xx (413), not buffered whole or crashed on.',
    })
    const v2 = find(cases, 'wrong-version')!.headers['webhook-signature']!
    expect(said['wrong-version']).toBe(
      `The same signature labelled with another scheme version (webhook-signature: ${v2.slice(0, 21)}...).`,
    )
    expect(said['other-algorithm']).toMatch(
      /^A real signature made with another algorithm \(webhook-signature: v1,.{18}\.\.\.\): a receiver that lets the header choose the algorithm accepts it\.$/,
    )
    const token = badDeliveries('gitlab', { payload, secret: 'tok', now: NOW })
    expect(find(token, 'missing-token')!.description).toBe('No x-gitlab-token header at all.')
    expect(find(token, 'empty-token')!.description).toBe(
      'The x-gitlab-token header is present but empty.',
    )
  })

  it('every case is sent as the valid delivery is: its content type', () => {
    for (const [p, type] of [
      [payload, 'application/json'],
      ['plain text', 'text/plain; charset=utf-8'],
      [new Uint8Array([1, 2]), 'application/octet-stream'],
    ] as const) {
      const cases = badDeliveries('hmac', { payload: p, secret: 's', now: NOW })
      for (const c of cases) {
        expect({ name: c.name, type: c.headers['content-type'] }).toEqual({ name: c.name, type })
      }
      expect(find(cases, 'empty-body')!.headers['content-type']).toBe(type)
    }
  })
})

describe('the JSON cases', () => {
  const json = (p: string | object) => badDeliveries('hmac', { payload: p, secret: 's', now: NOW })

  it('re-serialise the signed JSON: pretty-printed, and with every object’s keys reversed', () => {
    const cases = json({ id: 'evt_1', data: { a: 1, b: [{ x: 1, y: 2 }] } })
    expect(text(find(cases, 'json-whitespace-changed')!.body)).toBe(
      JSON.stringify({ id: 'evt_1', data: { a: 1, b: [{ x: 1, y: 2 }] } }, null, 2),
    )
    expect(text(find(cases, 'json-keys-reordered')!.body)).toBe(
      '{"data":{"b":[{"y":2,"x":1}],"a":1},"id":"evt_1"}',
    )
    expect(text(find(cases, 'valid-pretty-json')!.body)).toBe(
      JSON.stringify({ id: 'evt_1_pretty', data: { a: 1, b: [{ x: 1, y: 2 }] } }, null, 2),
    )
  })

  it('a nested object with two keys is enough to reorder; one key at every level is not', () => {
    expect(names(json({ only: { a: 1, b: 2 } }))).toContain('json-keys-reordered')
    expect(names(json([{ a: 1, b: 2 }]))).toContain('json-keys-reordered')
    expect(names(json({ only: { one: [1, 2] } }))).not.toContain('json-keys-reordered')
    // Pretty-printed with one key at every level: nothing to reorder (compacting it is the
    // whitespace case's job).
    expect(names(json(JSON.stringify({ only: { one: [1, 2] } }, null, 2)))).toEqual(
      expect.not.arrayContaining(['json-keys-reordered']),
    )
  })

  it('no whitespace case when the body is already pretty-printed', () => {
    const pretty = JSON.stringify({ id: 'e', a: 1 }, null, 2)
    const cases = json(pretty)
    expect(names(cases)).not.toContain('json-whitespace-changed')
    expect(names(cases)).toContain('json-keys-reordered')
  })

  it('no JSON cases for text, bytes, or JSON that is not an object or array', () => {
    for (const p of ['plain', '5', 'null', '"text"']) {
      expect(names(json(p)).filter((n) => n.includes('json'))).toEqual([])
    }
    const bytes = badDeliveries('hmac', { payload: new Uint8Array([0x7b]), secret: 's' })
    expect(names(bytes).filter((n) => n.includes('json'))).toEqual([])
    // A JSON array is JSON: its cases are made.
    expect(names(json('[1, 2]'))).toContain('valid-pretty-json')
  })
})

describe('the oversized body', () => {
  const oversized = (p: string | object | Uint8Array, maxBodyBytes: number, scheme = 'hmac') =>
    find(
      badDeliveries(scheme as 'hmac', { payload: p, secret: 's', maxBodyBytes, now: NOW }),
      'oversized-body',
    )!

  it('text and bytes repeated to one byte past the maximum', () => {
    expect(oversized('abc', 7).body).toBe('abcabcab')
    expect(oversized('', 4).body).toBe('xxxxx')
    expect(oversized(new Uint8Array([0x61, 0x62]), 4).body).toBe('ababa')
  })

  it('an object stays the same object, padded to one byte past the maximum', () => {
    const c = oversized({ id: 'evt_1', type: 't' }, 200)
    expect(Buffer.byteLength(c.body as string)).toBe(201)
    const parsed = JSON.parse(c.body as string) as { id: string; type: string; padding: string }
    expect(parsed.type).toBe('t')
    expect(parsed.padding).toMatch(/^x+$/)
    // A scheme that adds fields of its own (Linear's webhookTimestamp) is measured with them.
    expect(Buffer.byteLength(oversized({ id: 'evt_1' }, 300, 'linear').body as string)).toBe(301)
  })

  it('an object already past the maximum is sent unpadded', () => {
    const c = oversized({ id: 'evt_1', text: 'y'.repeat(50) }, 10)
    expect(JSON.parse(c.body as string).padding).toBe('')
  })

  it('is validly signed with its own message id', () => {
    const secret = getScheme('standardWebhooks').generateSecret().signSecret
    const cases = badDeliveries('standardWebhooks', {
      payload,
      secret,
      now: NOW,
      id: 'm',
      maxBodyBytes: 500,
    })
    const big = find(cases, 'oversized-body')!
    expect(big.headers['webhook-id']).toBe('m_oversized')
    expect(big.reason).toBeUndefined()
    expect(
      getScheme('standardWebhooks').verify({
        headers: big.headers,
        body: big.body,
        secret,
        now: NOW,
      }).ok,
    ).toBe(true)
  })
})

describe('uniquePayload', () => {
  it("suffixes an object's top-level string id, and leaves everything else as it is", () => {
    expect(uniquePayload({ id: 'evt_1', a: 1 }, 'retry')).toEqual({ id: 'evt_1_retry', a: 1 })
    for (const p of [{ id: 7 }, { no: 'id' }, ['evt_1'], 'evt_1', new Uint8Array([1]), null]) {
      expect(uniquePayload(p, 'retry')).toBe(p)
    }
    const array = Object.assign(['a'], { id: 'x' })
    expect(uniquePayload(array, 'retry')).toBe(array)
  })
})

describe('toRequest and url', () => {
  it('a scheme that signs another URL than the one given: the case carries it, and toRequest uses it', async () => {
    // Twilio with JSON bodies signs the URL with bodySHA256 appended, and is called there.
    const url = 'https://example.com/sms?x=1'
    const cases = badDeliveries(twilioJson, { payload, secret: 'token', url, now: NOW })
    const valid = cases[0]!
    expect(valid.url).toMatch(/^https:\/\/example\.com\/sms\?x=1&bodySHA256=[0-9a-f]{64}$/)
    expect(valid.toRequest('http://ignored/').url).toBe(valid.url)
    expect(find(cases, 'tampered-body')!.reason).toBe('bad_signature')
    expect(find(cases, 'missing-signature-header')!.reason).toBe('missing_header')
    // A scheme that calls the URL given leaves url unset.
    const plain = badDeliveries('twilio', { payload: { To: '+1' }, secret: 'token', url, now: NOW })
    expect(plain.every((c) => c.url === undefined)).toBe(true)
    expect(plain[0]!.toRequest('http://localhost/x').url).toBe('http://localhost/x')
  })

  it('bytes are sent as bytes, and an empty body as none', async () => {
    const cases = badDeliveries('hmac', { payload: new Uint8Array([1, 2, 3]), secret: 's' })
    const request = cases[0]!.toRequest('http://localhost/')
    expect(new Uint8Array(await request.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]))
    const empty = find(cases, 'empty-body')!.toRequest('http://localhost/')
    expect(empty.body).toBeNull()
    expect(request.headers.get('x-webhook-signature')).toBe(
      cases[0]!.headers['x-webhook-signature'],
    )
  })
})
