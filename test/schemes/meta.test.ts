import { createHmac } from 'node:crypto'
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { describe, expect, it } from 'vitest'
import { getScheme, meta } from '../../src/index.js'

const appSecret = 'meta-app-secret'
// Meta sends non-ASCII as \u escapes; those exact bytes are what it signs.
const body =
  '{"object":"page","entry":[{"id":"1","messaging":[{"message":{"text":"caf\\u00e9"}}]}]}'

describe('meta', () => {
  it('signs the raw body into X-Hub-Signature-256 as sha256=<hex>', async () => {
    const { headers } = meta.sign({ payload: body, secret: appSecret })
    const expected = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`
    expect(headers).toEqual({ 'x-hub-signature-256': expected })
    // The same header format as GitHub's, so GitHub's official verifier agrees.
    expect(await octokitVerify(appSecret, body, headers['x-hub-signature-256']!)).toBe(true)
    expect(meta.verify({ headers, body, secret: appSecret })).toEqual({
      ok: true,
      scheme: 'meta',
      secretIndex: 0,
    })
  })

  it('refuses a re-serialised body, a wrong secret and a missing header', () => {
    const { headers } = meta.sign({ payload: body, secret: appSecret })
    // JSON.stringify would write "café" unescaped: different bytes, so a bad signature.
    const reserialised = JSON.stringify(JSON.parse(body))
    expect(meta.verify({ headers, body: reserialised, secret: appSecret })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(meta.verify({ headers, body, secret: 'other' })).toMatchObject({
      reason: 'bad_signature',
    })
    expect(meta.verify({ headers: {}, body, secret: appSecret })).toMatchObject({
      reason: 'missing_header',
    })
    expect(meta.verify({ headers, body, secrets: ['old', appSecret] })).toMatchObject({
      secretIndex: 1,
    })
    expect(getScheme('meta')).toBe(meta)
  })
})
