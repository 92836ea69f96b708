// The scheme registry: what a scheme option accepts (a name or a scheme value), and the checks a
// `{ scheme, secret | secrets, tolerance }` config gets when it is given (endpoint verify,
// withValidSignature), so misuse throws at once, naming the option, and never echoes a secret.
import { describe, expect, it } from 'vitest'
import { github, hmac, stripe } from '../../src/index.js'
import { getScheme, resolveSchemeConfig } from '../../src/schemes/registry.js'

function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f()
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message }
  }
  return expect.unreachable('it should have thrown')
}

describe('getScheme', () => {
  it('passes a scheme value through, a built-in or one made with .with()', () => {
    const acme = hmac.with({ name: 'acme', header: 'X-Acme-Signature' })
    expect(getScheme(stripe)).toBe(stripe)
    expect(getScheme(acme)).toBe(acme)
    expect(getScheme('github')).toBe(github)
  })

  it.each([
    [null, 'Unknown scheme null.'],
    [42, 'Unknown scheme 42.'],
    // An object is a scheme only if it can verify.
    [{ name: 'stripe', verify: 'yes' }, 'Unknown scheme an object with keys [name, verify].'],
    // Names are the registry's own keys, not anything an object has.
    ['toString', 'Unknown scheme "toString".'],
    ['constructor', 'Unknown scheme "constructor".'],
  ])('refuses %j, listing the known schemes', (input, start) => {
    const error = thrown(() => getScheme(input as never))
    expect(error.code).toBe('HOOKWRIGHT_UNKNOWN_SCHEME')
    expect(error.message.startsWith(`${start} Known schemes: stripe, github, `)).toBe(true)
  })
})

describe('resolveSchemeConfig (endpoint verify, withValidSignature)', () => {
  it('returns the scheme and only the options given', () => {
    expect(resolveSchemeConfig({ scheme: 'github', secret: 's' }, 'verify')).toStrictEqual({
      scheme: github,
      options: { secret: 's' },
    })
    expect(
      resolveSchemeConfig({ scheme: stripe, secrets: ['a', 'b'], tolerance: 0 }, 'verify'),
    ).toStrictEqual({ scheme: stripe, options: { secrets: ['a', 'b'], tolerance: 0 } })
  })

  it.each([
    [
      null,
      'HOOKWRIGHT_INVALID_OPTION',
      /^Invalid option `verify`: expected an object \{ scheme, secret \| secrets, tolerance\? \}, got null/,
    ],
    ['stripe', 'HOOKWRIGHT_INVALID_OPTION', /^Invalid option `verify`: expected an object/],
    [
      { scheme: 'github' },
      'HOOKWRIGHT_MISSING_SECRET',
      /^Invalid option `verify`: pass `secret` or `secrets` for the github scheme\.$/,
    ],
    [
      { scheme: 'github', secret: 12345678 },
      'HOOKWRIGHT_INVALID_OPTION',
      /^Invalid option `verify\.secret`: expected a string/,
    ],
    [
      { scheme: 'github', secret: '' },
      'HOOKWRIGHT_INVALID_OPTION',
      /^Invalid option `secret` of verify: expected a secret that is not empty or only whitespace, got an empty string\.$/,
    ],
    [
      { scheme: 'github', secrets: 'hunter2' },
      'HOOKWRIGHT_INVALID_OPTION',
      /^Invalid option `verify\.secrets`: expected a list of strings/,
    ],
    [
      { scheme: 'github', secrets: ['hunter2', 1] },
      'HOOKWRIGHT_INVALID_OPTION',
      /^Invalid option `verify\.secrets`: expected a list of strings/,
    ],
    [
      { scheme: 'github', secret: 's', tolerance: -1 },
      'HOOKWRIGHT_INVALID_OPTION',
      /^Invalid option `verify\.tolerance`: expected a number of seconds >= 0, got -1/,
    ],
    [
      { scheme: 'github', secret: 's', tolerance: Number.NaN },
      'HOOKWRIGHT_INVALID_OPTION',
      /`verify\.tolerance`: expected a number of seconds >= 0, got NaN/,
    ],
    [
      { scheme: 'github', secret: 's', tolerance: '300' },
      'HOOKWRIGHT_INVALID_OPTION',
      /`verify\.tolerance`: expected a number of seconds >= 0/,
    ],
  ])('refuses %j at once, naming the option', (config, code, message) => {
    const error = thrown(() => resolveSchemeConfig(config as never, 'verify'))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('hunter2')
    expect(error.message).not.toContain('12345678')
  })
})
