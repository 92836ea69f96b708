import { Signature } from '@hubspot/api-client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hubspot } from '../../../src/index.js'

/**
 * Ported from HubSpot/hubspot-api-nodejs `test/unit/signature.spec.ts`. hookwright implements
 * signature v3 only, so the v3 case is ported (and checked by the installed @hubspot/api-client
 * `Signature.isValid` too); the v1 and v2 cases are listed below as not expressible.
 */
const SOURCE = 'HubSpot/hubspot-api-nodejs test/unit/signature.spec.ts'

const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy'

/** Source tests that hookwright's API cannot express, and why. */
const notExpressible = [
  {
    test: 'is valid v1',
    why: 'Signature v1 is a plain SHA-256 of secret + body with no timestamp; HubSpot sends v3 for every webhook hookwright signs, and verify checks X-HubSpot-Signature-v3 only.',
  },
  {
    test: 'is valid v2 / is valid v2 with body',
    why: 'Signature v2 (SHA-256 of secret + method + URL + body) is not implemented: hookwright verifies the v3 header only, as documented in docs/schemes.md.',
  },
]

describe(`ported: ${SOURCE}`, () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('is valid v3', () => {
    const now = 1_700_000_000_123
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(now)
    const options = {
      signature: '',
      clientSecret,
      requestBody: '{"example_field":"example_value"}',
      url: 'https://www.example.com/webhook_uri',
      method: 'POST',
      signatureVersion: 'v3',
      timestamp: Date.now(),
    }
    options.signature = Signature.getSignature(options.method, options.signatureVersion, options)
    expect(Signature.isValid(options)).toBe(true)
    const result = hubspot.verify({
      headers: {
        'X-HubSpot-Signature-v3': options.signature,
        'X-HubSpot-Request-Timestamp': String(options.timestamp),
      },
      body: options.requestBody,
      secret: clientSecret,
      url: options.url,
    })
    expect(result).toMatchObject({ ok: true, timestamp: Math.floor(now / 1000) })
    // And hookwright signs the same header for the same request.
    const signed = hubspot.sign({
      payload: options.requestBody,
      secret: clientSecret,
      url: options.url,
      timestamp: Math.floor(now / 1000),
    })
    expect(
      Signature.isValid({
        ...options,
        signature: signed.headers['x-hubspot-signature-v3']!,
        timestamp: Number(signed.headers['x-hubspot-request-timestamp']),
      }),
    ).toBe(true)
  })

  it('lists the source tests it cannot express, each with why', () => {
    for (const entry of notExpressible) expect(entry.why.length).toBeGreaterThan(40)
  })
})
