import twilioLib from 'twilio'
import { describe, expect, it } from 'vitest'
import { twilio } from '../../src/index.js'

const token = 'twilio-auth-token'
const fields = { From: '+15550100', Body: 'hi there' }

/**
 * URLs a handler may be given for the one Twilio called: with and without the default or another
 * port, another case, user info, an IPv6 host, escaped or raw characters. Each group is one
 * endpoint; a delivery Twilio signed for any URL of a group is verified at every URL of it,
 * and hookwright must answer as the official `validateRequest` answers, yes or no.
 */
const groups: Record<string, string[]> = {
  'default ports': [
    'https://example.com/sms?a=1',
    'https://example.com:443/sms?a=1',
    'http://example.com/sms?a=1',
    'http://example.com:80/sms?a=1',
    'https://example.com:8443/sms?a=1',
  ],
  'scheme and host case': [
    'HTTPS://example.com/sms',
    'https://EXAMPLE.com/sms',
    'https://example.com/sms',
    'HTTP://example.com:80/sms',
  ],
  'user info': [
    'https://user:pw@example.com/sms',
    'https://user:pw@example.com:443/sms',
    'https://example.com/sms',
  ],
  'IPv6 hosts': [
    'https://[::1]/sms',
    'https://[::1]:443/sms',
    'https://[::1]:8443/sms',
    'http://[2001:db8::1]/sms',
    'http://[2001:db8::1]:80/sms',
    'https://[::]/sms',
    'https://[::]:443/sms',
  ],
  // Not split into scheme and host: tried only as given (and as `new URL` writes it).
  'URLs as given': [
    'urn:example:sms',
    ' https://example.com/sms',
    'https://example.com/sms',
    'https://example.com:443/sms',
  ],
  'escaped and raw characters': [
    'https://example.com/a b?q=x y',
    'https://example.com/a%20b?q=x%20y',
    'https://example.com/a%20b?q=x+y',
    "https://example.com/sms?q=it's",
    'https://example.com/sms?q=it%27s',
    'https://example.com/sms?q=caf%C3%A9',
    'https://example.com/sms?q=café',
    'https://example.com/sms?q=%7e',
    'https://example.com/sms?q=~',
  ],
  'fragments and empty queries': [
    'https://example.com/sms#top',
    'https://example.com/sms?',
    'https://example.com/sms',
    'https://example.com/sms?#top',
  ],
}

describe('twilio: URL forms, judged as the official validateRequest judges them', () => {
  for (const [group, urls] of Object.entries(groups)) {
    it(`${group}: signed for one URL, verified at each`, () => {
      for (const signedFor of urls) {
        const signature = twilioLib.getExpectedTwilioSignature(token, signedFor, fields)
        for (const url of urls) {
          const result = twilio.verify({
            headers: { 'x-twilio-signature': signature },
            body: new URLSearchParams(fields).toString(),
            secret: token,
            url,
          })
          const official = twilioLib.validateRequest(token, signature, url, fields)
          expect({ signedFor, url, ok: result.ok }).toEqual({ signedFor, url, ok: official })
        }
      }
    })
  }

  it('JSON bodies: finds bodySHA256 in the query as the official library does', () => {
    const body = '{"a":1}'
    const hash = twilioLib.getExpectedBodyHash(body)
    const urls = [
      `https://example.com/hook?bodySHA256=${hash}`,
      `https://example.com/hook?x=1&bodySHA256=${hash}&y=2`,
      `https://example.com/hook?bodySHA256=${hash}#frag`,
      `https://example.com/hook#frag?bodySHA256=${hash}`,
      `https://example.com/hook?x=1&bodySHA256`,
      `https://example.com/hook?x=1&bodySHA256=`,
      `https://example.com/hook?bodysha256=${hash}`,
      `https://example.com/hook?xbodySHA256=${hash}`,
      `https://example.com/hook?%62odySHA256=${hash}`,
      `https://example.com/a b?bodySHA256=${hash}`,
      `HTTPS://example.com/hook?bodySHA256=${hash}`,
      `https://user:pw@example.com/hook?bodySHA256=${hash}`,
      `https://[::1]:8443/hook?bodySHA256=${hash}`,
      `https://example.com?bodySHA256=${hash}`,
      // "&" in the path is not a query.
      `https://example.com/a&bodySHA256=${hash}`,
    ]
    for (const url of urls) {
      const signature = twilioLib.getExpectedTwilioSignature(token, url, {})
      const result = twilio.verify({
        headers: { 'x-twilio-signature': signature },
        body,
        secret: token,
        url,
      })
      const official = twilioLib.validateRequestWithBody(token, signature, url, body)
      expect({ url, ok: result.ok }).toEqual({ url, ok: official })
    }
    // An empty bodySHA256 is no digest, not even of an empty body.
    for (const url of [
      'https://example.com/hook?x=1&bodySHA256',
      'https://example.com/hook?bodySHA256=',
    ]) {
      const signature = twilioLib.getExpectedTwilioSignature(token, url, {})
      expect(twilioLib.validateRequestWithBody(token, signature, url, '')).toBe(false)
      expect(
        twilio.verify({
          headers: { 'x-twilio-signature': signature },
          body: '',
          secret: token,
          url,
        }),
      ).toMatchObject({
        ok: false,
        reason: 'bad_signature',
        message: expect.stringMatching(/bodySHA256/),
      })
    }
  })

  it('signs a JSON body for a URL without a query with "?bodySHA256="', () => {
    const signed = twilio.sign({
      payload: { a: 1 },
      secret: token,
      url: 'https://example.com/hook',
      format: 'json',
    })
    expect(signed.url).toBe(
      `https://example.com/hook?bodySHA256=${twilioLib.getExpectedBodyHash('{"a":1}')}`,
    )
    expect(
      twilioLib.validateRequestWithBody(
        token,
        signed.headers['x-twilio-signature']!,
        signed.url,
        signed.body as string,
      ),
    ).toBe(true)
  })
})
