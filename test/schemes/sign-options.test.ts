import { describe, expect, it } from 'vitest'
import { schemes } from '../../src/schemes/registry.js'
import type { AnyScheme } from '../../src/schemes/types.js'

// Every scheme, with what it needs to sign a plain payload (Twilio signs the URL).
const all = Object.entries(schemes as Record<string, AnyScheme>).map(([name, scheme]) => {
  const { signSecret, verifySecret } = scheme.generateSecret()
  const base = { secret: signSecret, url: 'https://example.com/hooks' }
  return { name, scheme, base, verifySecret }
})

// The option named in backquotes, alone (`id`) or in context (`twilio.sign({ payload: … })`).
const misuse = (option: string) =>
  expect.objectContaining({
    code: 'HOOKWRIGHT_INVALID_OPTION',
    message: expect.stringMatching(new RegExp(`\`(?:[^\`]*[{(.] )?${option}\\b[^\`]*\``)),
  })

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return 'nothing thrown'
}

describe('sign() refuses what it cannot put in a header or sign, naming the option', () => {
  it('signs a plain payload with every scheme (the cases below start from here)', () => {
    for (const { name, scheme, base } of all) {
      expect([name, typeof scheme.sign({ ...base, payload: { ok: 1 } }).headers]).toEqual([
        name,
        'object',
      ])
    }
  })

  it('refuses an id that is an object, a number, empty or holds CR/LF', () => {
    for (const { name, scheme, base } of all) {
      for (const id of [{ evil: 1 }, 42, '', 'msg_1\r\nx-injected: 1', 'a\nb']) {
        const error = thrown(() => scheme.sign({ ...base, payload: {}, id: id as string }))
        expect([name, id, error]).toEqual([name, id, misuse('id')])
      }
    }
  })

  it('refuses BigInt, circular and unserialisable payloads', () => {
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    for (const { name, scheme, base } of all) {
      for (const payload of [{ amount: 10n }, circular, { toJSON: () => undefined }]) {
        const error = thrown(() => scheme.sign({ ...base, payload }))
        expect([name, error]).toEqual([name, misuse('payload')])
      }
    }
  })

  it('refuses scheme options that would be copied into a header as they are', () => {
    const { github, shopify, standardWebhooks } = schemes
    const secret = 's3cret'
    expect(thrown(() => github.sign({ payload: {}, secret, event: { push: 1 } as never }))).toEqual(
      misuse('event'),
    )
    expect(thrown(() => github.sign({ payload: {}, secret, event: 'push\r\nx-a: 1' }))).toEqual(
      misuse('event'),
    )
    expect(thrown(() => shopify.sign({ payload: {}, secret, topic: 7 as never }))).toEqual(
      misuse('topic'),
    )
    // An empty value would go out as an empty header: refused like any other bad value.
    expect(thrown(() => github.sign({ payload: {}, secret, event: '' }))).toEqual(
      expect.objectContaining({
        message:
          'Invalid option `event`: expected a non-empty string without control characters (no CR or LF), got "".',
      }),
    )
    expect(thrown(() => shopify.sign({ payload: {}, secret, topic: '' }))).toEqual(misuse('topic'))
    expect(github.sign({ payload: {}, secret, event: 'push' }).headers['x-github-event']).toBe(
      'push',
    )
    // Standard Webhooks signs "<id>.<timestamp>.<body>": never "[object Object].…".
    const key = standardWebhooks.generateSecret().signSecret
    expect(
      thrown(() => standardWebhooks.sign({ payload: {}, secret: key, id: { a: 1 } as never })),
    ).toEqual(misuse('id'))
  })
})

describe('verify() refuses header values of undocumented types, naming the option', () => {
  it('answers HOOKWRIGHT_INVALID_OPTION, not a raw TypeError', () => {
    const { stripe } = schemes
    const signed = stripe.sign({ payload: { a: 1 }, secret: 'whsec_x' })
    for (const value of [Object.create(null), { toString: 1 }, Symbol('s'), () => 'f']) {
      const error = thrown(() =>
        stripe.verify({
          headers: { ...signed.headers, 'stripe-signature': value },
          body: signed.body,
          secret: 'whsec_x',
        }),
      )
      expect(error).toEqual(misuse('headers'))
    }
    // The documented types still verify.
    expect(
      stripe.verify({ headers: signed.headers, body: signed.body, secret: 'whsec_x' }).ok,
    ).toBe(true)
  })
})
