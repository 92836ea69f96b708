import { describe, expect, it } from 'vitest'
import { createReceiver, HookwrightError, schemes } from '../../src/index.js'
import type { AnyScheme } from '../../src/index.js'

/**
 * An empty or whitespace-only secret is refused by every scheme, on both sides, with an error
 * that names the option and never the secret (python-slack-sdk's SignatureVerifier refuses
 * `"   "` the same way). Only a rotation list may hold blank entries, which are skipped.
 */
const url = 'https://example.com/hook'
const all = Object.entries(schemes) as Array<[string, AnyScheme]>

function invalidOption(run: () => unknown): HookwrightError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(HookwrightError)
    expect((error as HookwrightError).code).toBe('HOOKWRIGHT_INVALID_OPTION')
    return error as HookwrightError
  }
  return expect.unreachable('no error was thrown')
}

describe.each(all)('blank secrets: %s', (name, scheme) => {
  const { signSecret, verifySecret } = scheme.generateSecret()
  const signed = scheme.sign({ payload: { n: 1 }, secret: signSecret, url })
  const request = { headers: signed.headers, body: signed.body, url: signed.url ?? url }

  it.each(['', ' ', '   ', '\t', '\n', ' \r\n '])('refuses %j to sign and to verify', (blank) => {
    const onSign = invalidOption(() => scheme.sign({ payload: { n: 1 }, secret: blank, url }))
    expect(onSign.message).toContain('`secret`')
    expect(onSign.message).toContain(`${name}.sign`)
    const onVerify = invalidOption(() => scheme.verify({ ...request, secret: blank }))
    expect(onVerify.message).toContain('`secret`')
    expect(onVerify.message).toMatch(/not empty or only whitespace/)
  })

  it('skips blank entries of a rotation list and reports the position as given', () => {
    const result = scheme.verify({ ...request, secrets: ['', '  ', verifySecret] })
    expect(result).toMatchObject({ ok: true, secretIndex: 2 })
    expect(scheme.verify({ ...request, secrets: ['', ' '] })).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    })
  })
})

describe('blank secrets in endpoint options', () => {
  it('refuse to create the endpoint, naming the option', async () => {
    const receiver = await createReceiver()
    try {
      const error = invalidOption(() =>
        receiver.endpoint({ verify: { scheme: 'slack', secret: '   ' } }),
      )
      expect(error.message).toContain('`secret`')
    } finally {
      await receiver.close()
    }
  })
})
