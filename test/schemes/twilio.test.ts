import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import twilioLib from 'twilio'
import { describe, expect, it } from 'vitest'
import { HookwrightError, WebhookVerificationError, getScheme, twilio } from '../../src/index.js'

const authToken = '12345'
const url = 'https://example.com/sms?account=7'
const fields = { From: '+15550100', To: '+15550111', Body: 'Hello & welcome+1', MessageSid: 'SM1' }

describe('twilio', () => {
  it('matches the example in Twilio’s security docs', () => {
    const docsUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2'
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    }
    const { headers, body } = twilio.sign({ payload: params, secret: '12345', url: docsUrl })
    expect(headers['x-twilio-signature']).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=')
    expect(
      twilio.verify({
        headers: { 'X-Twilio-Signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' },
        body,
        secret: '12345',
        url: docsUrl,
      }).ok,
    ).toBe(true)
  })

  it('signs a form post that the official validateRequest accepts', () => {
    const { headers, body, url: sentTo } = twilio.sign({ payload: fields, secret: authToken, url })
    expect(sentTo).toBe(url)
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded')
    // What express.urlencoded() hands the official validator.
    const params = Object.fromEntries(new URLSearchParams(body as string))
    expect(params.Body).toBe('Hello & welcome+1')
    expect(twilioLib.validateRequest(authToken, headers['x-twilio-signature']!, url, params)).toBe(
      true,
    )
  })

  it('verifies a form post the official library signed', () => {
    const signature = twilioLib.getExpectedTwilioSignature(authToken, url, fields)
    const body = new URLSearchParams(fields).toString()
    const result = twilio.verify({
      headers: { 'x-twilio-signature': signature },
      body,
      secret: authToken,
      url,
    })
    expect(result).toEqual({ ok: true, scheme: 'twilio', secretIndex: 0 })
  })

  it('signs repeated fields the way the official library sorts them', () => {
    const payload = { Tag: ['b', 'a', 'b'], Name: 'x' }
    const { headers, body } = twilio.sign({ payload, secret: authToken, url })
    expect(body).toBe('Tag=b&Tag=a&Tag=b&Name=x')
    expect(
      twilioLib.validateRequest(authToken, headers['x-twilio-signature']!, url, {
        Tag: ['b', 'a', 'b'],
        Name: 'x',
      }),
    ).toBe(true)
    expect(twilio.verify({ headers, body, secret: authToken, url }).ok).toBe(true)
  })

  it('signs a JSON body with bodySHA256 in the URL, both ways with validateRequestWithBody', () => {
    const event = { type: 'com.twilio.messaging.message.delivered', data: { sid: 'SM1' } }
    const signed = twilio.sign({ payload: event, secret: authToken, url, format: 'json' })
    expect(signed.headers['content-type']).toBe('application/json')
    expect(signed.body).toBe(JSON.stringify(event))
    expect(signed.url).toMatch(/^https:\/\/example\.com\/sms\?account=7&bodySHA256=[0-9a-f]{64}$/)
    const header = signed.headers['x-twilio-signature']!
    expect(
      twilioLib.validateRequestWithBody(authToken, header, signed.url, signed.body as string),
    ).toBe(true)

    const body = '{"hello":"world"}'
    const official = `https://example.com/hook?bodySHA256=${twilioLib.getExpectedBodyHash(body)}`
    const officialSignature = twilioLib.getExpectedTwilioSignature(authToken, official, {})
    expect(
      twilio.verify({
        headers: { 'x-twilio-signature': officialSignature },
        body,
        secret: authToken,
        url: official,
      }).ok,
    ).toBe(true)
    // The URL is signed, the body only hashed into it: a changed body fails the hash.
    expect(
      twilio.verify({
        headers: { 'x-twilio-signature': officialSignature },
        body: '{"hello":"World"}',
        secret: authToken,
        url: official,
      }),
    ).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      message: expect.stringMatching(/bodySHA256/),
    })
  })

  it('accepts the URL with or without the default port, as validateRequest does', () => {
    const { headers, body } = twilio.sign({
      payload: fields,
      secret: authToken,
      url: 'https://example.com:443/sms',
    })
    expect(
      twilio.verify({ headers, body, secret: authToken, url: 'https://example.com/sms' }).ok,
    ).toBe(true)
    const other = twilio.sign({ payload: fields, secret: authToken, url: 'http://example.com/sms' })
    expect(
      twilio.verify({ ...other, secret: authToken, url: 'http://example.com:80/sms' }).ok,
    ).toBe(true)
    // Like validateRequest, any port is dropped before comparing; the host is not.
    expect(
      twilio.verify({ ...other, secret: authToken, url: 'http://example.com:8080/sms' }).ok,
    ).toBe(
      twilioLib.validateRequest(
        authToken,
        other.headers['x-twilio-signature']!,
        'http://example.com:8080/sms',
        fields,
      ),
    )
    expect(
      twilio.verify({ ...other, secret: authToken, url: 'http://example.org/sms' }),
    ).toMatchObject({ reason: 'bad_signature' })
    // Twilio signed the normalised URL (a space escaped), the handler saw it raw.
    const escaped = twilio.sign({
      payload: fields,
      secret: authToken,
      url: 'https://example.com/a%20b?q=x',
    })
    expect(
      twilio.verify({ ...escaped, secret: authToken, url: 'https://example.com/a b?q=x' }).ok,
    ).toBe(true)
    expect(
      twilioLib.validateRequest(
        authToken,
        escaped.headers['x-twilio-signature']!,
        'https://example.com/a b?q=x',
        fields,
      ),
    ).toBe(true)
  })

  it('refuses each tampering with its reason', () => {
    const { headers, body } = twilio.sign({ payload: fields, secret: authToken, url })
    const signature = headers['x-twilio-signature']!
    const fail = (overrides: object) =>
      twilio.verify({ headers, body, secret: authToken, url, ...overrides })
    expect(fail({ body: (body as string).replace('SM1', 'SM2') })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    })
    expect(fail({ url: 'https://example.com/sms?account=8' })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(fail({ secret: 'other-token' })).toMatchObject({ reason: 'bad_signature' })
    expect(fail({ headers: {} })).toMatchObject({ reason: 'missing_header' })
    expect(fail({ headers: { 'x-twilio-signature': '' } })).toMatchObject({
      reason: 'missing_header',
    })
    const changed = signature.slice(0, 5) + (signature[5] === 'A' ? 'B' : 'A') + signature.slice(6)
    expect(fail({ headers: { 'x-twilio-signature': changed } })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(fail({ secret: undefined, secrets: [''] })).toMatchObject({ reason: 'missing_secret' })
  })

  it('accepts any of several auth tokens during a rotation', () => {
    const { headers, body } = twilio.sign({ payload: fields, secret: 'new-token', url })
    const result = twilio.verify({
      headers: new Headers(headers),
      body: Buffer.from(body),
      secrets: ['old-token', 'new-token'],
      url: 'https://example.com:443/sms?account=7',
    })
    expect(result).toMatchObject({ ok: true, secretIndex: 1 })
  })

  it('throws on misuse, naming the option', () => {
    const { headers, body } = twilio.sign({ payload: fields, secret: authToken, url })
    expect(() => twilio.sign({ payload: fields, secret: authToken } as never)).toThrow(
      /`twilio.sign\(\{ url \}\)`/,
    )
    expect(() => twilio.verify({ headers, body, secret: authToken } as never)).toThrow(/url/)
    expect(() => twilio.sign({ payload: fields, secret: authToken, url: '/sms' })).toThrow(
      HookwrightError,
    )
    expect(() => twilio.sign({ payload: { a: { nested: 1 } }, secret: authToken, url })).toThrow(
      /format: "json"/,
    )
    expect(() =>
      twilio.sign({ payload: fields, secret: authToken, url, format: 'xml' as never }),
    ).toThrow(/"form" or "json"/)
    expect(() => twilio.verifyOrThrow({ headers, body: 'x=1', secret: authToken, url })).toThrow(
      WebhookVerificationError,
    )
    expect(() => twilio.sign(null as never)).toThrow(/`twilio.sign\(options\)`/)
    expect(getScheme('twilio')).toBe(twilio)
  })

  it('says in each refusal and misuse what is wrong', () => {
    const { headers, body } = twilio.sign({ payload: fields, secret: authToken, url })
    const refusal = (h: Record<string, string>) => {
      const result = twilio.verify({ headers: h, body, secret: authToken, url })
      return result.ok ? 'ok' : `${result.reason}: ${result.message}`
    }
    expect(refusal({})).toBe('missing_header: The X-Twilio-Signature header is missing.')
    expect(refusal({ 'x-twilio-signature': 'AAAA' })).toBe(
      'bad_signature: The signature does not match the URL, body and token.',
    )
    const message = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return `${(error as HookwrightError).code}: ${(error as Error).message}`
      }
      return 'no error'
    }
    expect(message(() => twilio.verify({ headers, body, secret: authToken, url: '/sms' }))).toBe(
      'HOOKWRIGHT_INVALID_OPTION: Invalid option `twilio.verify({ url })`: expected the full URL Twilio calls, such as "https://example.com/sms?id=1", got "/sms".',
    )
    expect(
      message(() =>
        twilio.sign({
          payload: { To: '+1', Media: [{ url: 'x' }] } as never,
          secret: authToken,
          url,
        }),
      ),
    ).toBe(
      'HOOKWRIGHT_INVALID_OPTION: Invalid option `twilio.sign({ payload: { Media } })`: expected form fields: strings, numbers, booleans or arrays of them (or `format: "json"` to send JSON), got an object with keys [url].',
    )
  })

  it('names the option on more misuse: options not an object, the format, a URL object', () => {
    const { headers, body } = twilio.sign({ payload: fields, secret: authToken, url })
    expect(() => twilio.sign('https://example.com/sms' as never)).toThrow(
      'Invalid option `twilio.sign(options)`: expected an object with payload and secret, got "https://example.com/sms".',
    )
    expect(() =>
      twilio.sign({ payload: fields, secret: authToken, url, format: 'xml' as never }),
    ).toThrow('Invalid option `twilio.sign({ format })`: expected "form" or "json", got "xml".')
    expect(() => twilio.sign({ payload: null as never, secret: authToken, url })).toThrow(
      'Invalid option `payload`: expected an object, a string or a Uint8Array, got null.',
    )
    // A WHATWG URL is a common slip: it must be its text, the exact URL Twilio signed.
    expect(() =>
      twilio.verify({ headers, body, secret: authToken, url: new URL(url) as never }),
    ).toThrow(/^Invalid option `twilio\.verify\(\{ url \}\)`: expected the full URL Twilio calls/)
  })

  it('sorts many field names as the official library does', () => {
    // Names in a shuffled order, more than a sort's short-array path handles.
    const payload = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`F${(i * 7919) % 1000}`, String(i)]),
    )
    const signed = twilio.sign({ payload, secret: authToken, url })
    expect(
      twilioLib.validateRequest(authToken, signed.headers['x-twilio-signature']!, url, payload),
    ).toBe(true)
    expect(twilio.verify({ ...signed, secret: authToken, url }).ok).toBe(true)
  })

  it('signs numbers and booleans as form fields, as the official library reads them', () => {
    const payload = { Digits: 1234, Retry: false, Tag: ['a', 2] }
    const signed = twilio.sign({ payload, secret: authToken, url })
    expect(signed.body).toBe('Digits=1234&Retry=false&Tag=a&Tag=2')
    expect(
      twilioLib.validateRequest(authToken, signed.headers['x-twilio-signature']!, url, {
        Digits: '1234',
        Retry: 'false',
        Tag: ['a', '2'],
      }),
    ).toBe(true)
    expect(twilio.verify({ ...signed, secret: authToken, url }).ok).toBe(true)
  })

  it('signs and verifies with a generated token, bytes and strings alike', () => {
    const { signSecret, verifySecret } = twilio.generateSecret()
    const bytes = new TextEncoder().encode('Body=caf%C3%A9&From=%2B1')
    const signed = twilio.sign({ payload: bytes, secret: signSecret, url })
    expect(twilio.verify({ ...signed, secret: verifySecret, url }).ok).toBe(true)
    expect(
      twilioLib.validateRequest(
        authToken,
        twilio.sign({ payload: 'Body=caf%C3%A9', secret: authToken, url }).headers[
          'x-twilio-signature'
        ]!,
        url,
        { Body: 'café' },
      ),
    ).toBe(true)
  })

  it('gets through the official twilio.webhook() Express middleware on a real server', async () => {
    const app = express()
    app.post(
      '/sms',
      express.urlencoded({ extended: false }),
      twilioLib.webhook(authToken),
      (req, res) => {
        res.type('text/plain').send(`got ${String((req.body as Record<string, string>).Body)}`)
      },
    )
    const server: Server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms?account=7`
    try {
      const signed = twilio.sign({ payload: fields, secret: authToken, url: hookUrl })
      const send = async (headers: Record<string, string>) => {
        const res = await fetch(signed.url, {
          method: 'POST',
          headers,
          body: signed.body as string,
        })
        return [res.status, await res.text()]
      }
      expect(await send(signed.headers)).toEqual([200, 'got Hello & welcome+1'])
      const forged = twilio.sign({ payload: fields, secret: 'not-the-token', url: hookUrl })
      expect((await send(forged.headers))[0]).toBe(403)
    } finally {
      server.close()
      await once(server, 'close')
    }
  })
})
