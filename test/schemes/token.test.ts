import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { HookwrightError, getScheme, gitlab, token } from '../../src/index.js'

const payload = { object_kind: 'push', ref: 'refs/heads/main' }

describe('token', () => {
  it('sends the secret as it is in X-Webhook-Token by default', () => {
    const { headers, body } = token.sign({ payload, secret: 's3cret' })
    expect(headers).toEqual({ 'x-webhook-token': 's3cret' })
    expect(body).toBe(JSON.stringify(payload))
    expect(
      token.verify({ headers: { 'X-Webhook-Token': 's3cret' }, body, secret: 's3cret' }),
    ).toEqual({ ok: true, scheme: 'token', secretIndex: 0 })
    expect(token.headers).toEqual(['x-webhook-token'])
    expect(token.tolerance).toBeUndefined()
  })

  it('refuses a missing header and a wrong token, of any length, with their reasons', () => {
    const body = '{}'
    expect(token.verify({ headers: {}, body, secret: 's3cret' })).toMatchObject({
      ok: false,
      reason: 'missing_header',
    })
    for (const wrong of ['s3creT', 's3cre', 's3cret!', 'x'.repeat(1000)]) {
      const result = token.verify({ headers: { 'x-webhook-token': wrong }, body, secret: 's3cret' })
      expect(result).toMatchObject({ ok: false, reason: 'bad_signature' })
      expect(JSON.stringify(result)).not.toContain('s3cret')
    }
    expect(
      token.verify({ headers: { 'x-webhook-token': 'a' }, body, secrets: [''] }),
    ).toMatchObject({
      reason: 'missing_secret',
    })
  })

  it('accepts any of several tokens during a rotation', () => {
    const { headers, body } = token.sign({ payload, secret: 'new' })
    expect(token.verify({ headers, body, secrets: ['old', 'new'] })).toMatchObject({
      ok: true,
      secretIndex: 1,
    })
    expect(token.verify({ headers, body, secrets: ['old', 'older'] })).toMatchObject({
      reason: 'bad_signature',
    })
  })

  it('makes an Authorization: Bearer scheme with .with()', () => {
    const bearer = token.with({ name: 'bearer', header: 'Authorization', prefix: 'Bearer ' })
    const { headers, body } = bearer.sign({ payload, secret: 'abc' })
    expect(headers).toEqual({ authorization: 'Bearer abc' })
    expect(bearer.verify({ headers, body, secret: 'abc' })).toMatchObject({
      ok: true,
      scheme: 'bearer',
    })
    expect(
      bearer.verify({ headers: { authorization: 'Basic abc' }, body, secret: 'abc' }),
    ).toMatchObject({ reason: 'malformed_header', message: expect.stringContaining('"Bearer "') })
    expect(
      bearer.verify({ headers: { authorization: 'Bearer abd' }, body, secret: 'abc' }),
    ).toMatchObject({ reason: 'bad_signature' })
    expect(bearer.with({ header: 'X-Other' }).headers).toEqual(['x-other'])
  })

  it('rejects a bad config at .with() time, naming the option and what it accepts', () => {
    expect(() => token.with({ header: 'X Bad' })).toThrow(/`token.with header`.*header name/)
    expect(() => token.with({} as never)).toThrow(/`token.with header`/)
    expect(() => token.with({ header: 'A', prefix: 'x\n' })).toThrow(/line breaks/)
    expect(() => token.with({ header: 'A', colour: 'red' } as never)).toThrow(
      /only the options name, header, prefix.*colour/,
    )
    expect(() => token.with(null as never)).toThrow(HookwrightError)
  })
})

describe('a token that cannot travel in a header', () => {
  it('is refused at sign time, naming `secret` and never showing it', () => {
    const bearer = token.with({ header: 'Authorization', prefix: 'Bearer ' })
    for (const scheme of [token, gitlab, bearer]) {
      for (const secret of ['tops3cret\r\nX-Injected: 1', 'tops3cret\n', 'tops3cret\u0000']) {
        let error: unknown
        try {
          scheme.sign({ payload, secret })
        } catch (caught) {
          error = caught
        }
        expect(error).toBeInstanceOf(HookwrightError)
        expect(error).toMatchObject({
          code: 'HOOKWRIGHT_INVALID_OPTION',
          message:
            'Invalid option `secret`: expected a non-empty string without control characters (no CR or LF), got (hidden).',
        })
        expect(String((error as Error).message)).not.toContain('tops3cret')
      }
    }
  })

  it('cannot come from the prefix: .with() refuses a prefix with control characters', () => {
    for (const prefix of ['Bearer\u0000', 'Bearer\u007f', 'x\n']) {
      expect(() => token.with({ header: 'Authorization', prefix })).toThrow(
        /^Invalid option `token.with prefix`: expected a string without control characters or line breaks, such as "Bearer "/,
      )
    }
    // A tab is text in a header value (RFC 9110), so it may be part of the prefix.
    const tabbed = token.with({ header: 'Authorization', prefix: 'Bearer\t' })
    const { headers } = tabbed.sign({ payload, secret: 'abc' })
    expect(headers).toEqual({ authorization: 'Bearer\tabc' })
    expect(tabbed.verify({ headers, body: '', secret: 'abc' }).ok).toBe(true)
  })
})

describe('gitlab', () => {
  it('is token.with({ header: "X-Gitlab-Token" }) under its own name', () => {
    expect(getScheme('gitlab')).toBe(gitlab)
    expect(getScheme('token')).toBe(token)
    const { headers } = gitlab.sign({ payload, secret: 'glsecret' })
    expect(headers).toEqual({ 'x-gitlab-token': 'glsecret' })
    const result = gitlab.verify({
      headers: { 'X-Gitlab-Token': 'nope' },
      body: '',
      secret: 'glsecret',
    })
    expect(result).toMatchObject({ scheme: 'gitlab', reason: 'bad_signature' })
  })

  it('guards a real handler: 401 for a missing or wrong token, 200 for the right one', async () => {
    // The handler a user would write: only GitLab's own token gets in.
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const result = gitlab.verify({
          headers: req.headers,
          body: Buffer.concat(chunks),
          secret: 'glsecret',
        })
        res
          .writeHead(result.ok ? 200 : 401, { 'content-type': 'text/plain' })
          .end(result.ok ? 'ok' : result.reason)
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    try {
      const signed = gitlab.sign({ payload, secret: 'glsecret' })
      const send = async (headers: Record<string, string>) => {
        const res = await fetch(url, { method: 'POST', headers, body: signed.body as string })
        return [res.status, await res.text()]
      }
      expect(await send(signed.headers)).toEqual([200, 'ok'])
      expect(await send({})).toEqual([401, 'missing_header'])
      expect(await send({ 'X-Gitlab-Token': 'glsecreT' })).toEqual([401, 'bad_signature'])
    } finally {
      server.close()
      await once(server, 'close')
    }
  })
})
