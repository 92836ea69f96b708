import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { badDeliveries, getScheme, token, type BadDelivery } from '../../src/index.js'

// A fixed seed, so a failure reproduces (fast-check prints it with the counterexample);
// FC_SEED=<n> explores other inputs. Everything is generated inside the tests.
const seed = process.env.FC_SEED === undefined ? 20_261_129 : Number(process.env.FC_SEED)
const runs = { numRuns: 100, seed }
const NOW = 1_700_000_000

const text = (body: string | Uint8Array) => Buffer.from(body).toString('utf8')
const find = (cases: BadDelivery[], name: string) => cases.find((c) => c.name === name)
const isJson = (s: string) => {
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}
/** How many bytes differ between two texts of the same length. */
const changedBytes = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  let n = 0
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++
  return n
}

describe('tampered-body', () => {
  const tampered = (payload: string | object | Uint8Array) =>
    find(
      badDeliveries('hmac', { payload, secret: 's', now: NOW, maxBodyBytes: 64 }),
      'tampered-body',
    )!

  it('changes one letter or digit of a JSON body and keeps it JSON that reads differently', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const body = text(tampered(json).body)
        expect(isJson(body)).toBe(true)
        // A receiver that re-serialises the parsed body sees the change too.
        expect(JSON.stringify(JSON.parse(body))).not.toBe(JSON.stringify(JSON.parse(json)))
        if (body.length === json.length) expect(changedBytes(json, body)).toBe(1)
        else expect(body).toBe(`[${json}]`)
      }),
      runs,
    )
  })

  it('never touches true, false, null or an escape: the last letter or digit of a string changes', () => {
    expect(text(tampered({ id: 'evt_1', paid: true }).body)).toBe('{"id":"evt_1","paie":true}')
    expect(text(tampered({ ok: null, note: 'line\n' }).body)).toBe('{"ok":null,"note":"linf\\n"}')
    expect(text(tampered({ name: 'caf\u00ef' }).body)).toBe('{"name":"cag\u00ef"}')
    expect(text(tampered('{"name":"caf\\u00ef"}').body)).toBe('{"name":"cag\\u00ef"}')
    // No string to change: the leading digit of the last number (the last digits of a long
    // number can round away).
    expect(text(tampered([1209, 95]).body)).toBe('[1209,85]')
    expect(text(tampered([-0.5]).body)).toBe('[-1.5]')
    expect(text(tampered('[1, 2.5e-7, true]').body)).toBe('[1, 3.5e-7, true]')
    expect(text(tampered('[6.02E+23]').body)).toBe('[7.02E+23]')
    expect(text(tampered({ z: 'Z' }).body)).toBe('{"z":"A"}')
    expect(text(tampered({ z: 'zz' }).body)).toBe('{"z":"za"}')
    expect(text(tampered({ k: 'a\\b' }).body)).toBe('{"k":"a\\\\c"}')
  })

  it('wraps JSON with no letter or digit to change in an array', () => {
    expect(text(tampered({}).body)).toBe('[{}]')
    expect(text(tampered([true, null]).body)).toBe('[[true,null]]')
    expect(text(tampered('""').body)).toBe('[""]')
  })

  it('changes the last letter or digit of other text, or appends an x when it has none', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (payload) => {
        fc.pre(!isJson(payload))
        const body = text(tampered(payload).body)
        if (/[A-Za-z0-9]/.test(payload)) {
          expect(body).toHaveLength(payload.length)
          expect(changedBytes(payload, body)).toBe(1)
        } else {
          expect(body).toBe(`${payload}x`)
        }
      }),
      runs,
    )
    expect(tampered('plain text').body).toBe('plain texu')
    expect(tampered('Z-9 ...').body).toBe('Z-0 ...')
    expect(tampered('!!!').body).toBe('!!!x')
    expect(tampered('a...').body).toBe('b...')
    // The edges of the letters and digits: 0-9, A-Z, a-z change; the characters beside them
    // (/ : @ [ ` {) do not.
    for (const [last, changed] of [
      ['0', '1'],
      ['9', '0'],
      ['A', 'B'],
      ['Z', 'A'],
      ['a', 'b'],
      ['z', 'a'],
    ]) {
      expect(tampered(`x${last}`).body).toBe(`x${changed}`)
    }
    for (const beside of ['/', ':', '@', '[', '`', '{']) {
      expect(tampered(`x${beside}`).body).toBe(`y${beside}`)
    }
    expect(tampered(new Uint8Array([1, 2])).body).toEqual(new Uint8Array([1, 2, 0x78]))
    expect(tampered(new Uint8Array([0x41, 0x2e])).body).toEqual(new Uint8Array([0x42, 0x2e]))
  })
})

describe('token cases', () => {
  const schemes = [
    token,
    getScheme('gitlab'),
    token.with({ name: 'bearer', header: 'Authorization', prefix: 'Bearer ' }),
  ]

  it('cover tokens of any length ending in any character: each bad token is refused, by hand and by the scheme', () => {
    const tokens = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 40,
    })
    fc.assert(
      fc.property(tokens, fc.constantFrom(...schemes), (secret, scheme) => {
        const prefix = scheme.prefix
        const header = scheme.header
        const cases = badDeliveries(scheme, {
          payload: { id: 'evt_1' },
          secret,
          now: NOW,
          maxBodyBytes: 64,
        })
        expect(cases.map((c) => c.name)).toEqual([
          'valid',
          'missing-token',
          'empty-token',
          'wrong-token',
          // A one-character token has no shorter one but the empty one (empty-token).
          ...(secret.length > 1 ? ['token-too-short'] : []),
          'token-too-long',
          'oversized-body',
        ])
        const sent = (name: string) => find(cases, name)!.headers[header]
        expect(sent('valid')).toBe(prefix + secret)
        expect(header in find(cases, 'missing-token')!.headers).toBe(false)
        expect(sent('empty-token')).toBe(prefix)
        const wrong = sent('wrong-token')!.slice(prefix.length)
        expect(wrong).toHaveLength(secret.length)
        expect(wrong.slice(0, -1)).toBe(secret.slice(0, -1))
        expect(wrong.at(-1)).not.toBe(secret.at(-1))
        if (secret.length > 1) expect(sent('token-too-short')).toBe(prefix + secret.slice(0, -1))
        expect(sent('token-too-long')).toBe(`${prefix}${secret}x`)
        for (const c of cases.filter((c) => c.group === 'signature')) {
          // By hand: a token receiver accepts exactly the header "<prefix><token>".
          expect({ name: c.name, ok: c.headers[header] === prefix + secret }).toEqual({
            name: c.name,
            ok: c.expect === 'accept',
          })
          const result = scheme.verify({ headers: c.headers, body: c.body, secret })
          expect({ name: c.name, ok: result.ok }).toEqual({
            name: c.name,
            ok: c.expect === 'accept',
          })
        }
      }),
      runs,
    )
  })

  it('a one-character token: no case is the token itself', () => {
    const cases = badDeliveries('gitlab', { payload: { id: 'evt_1' }, secret: 'x', now: NOW })
    for (const c of cases.filter((c) => c.expect === 'reject' && c.group === 'signature')) {
      expect({ name: c.name, token: c.headers['x-gitlab-token'] }).not.toEqual({
        name: c.name,
        token: 'x',
      })
    }
    expect(find(cases, 'wrong-token')!.headers['x-gitlab-token']).toBe('a')
    expect(
      find(badDeliveries('gitlab', { payload: {}, secret: 'a', now: NOW }), 'wrong-token')!.headers[
        'x-gitlab-token'
      ],
    ).toBe('b')
  })
})

describe('a custom tolerance shifts the timestamp cases', () => {
  // tolerance → seconds before (−) or after (+) now of each case's timestamp; none = no such case.
  // The margin past the edge is 5 s from a 10 s tolerance up, else 1 s; "just inside" needs
  // room for the margin on both sides; a retry needs a tolerance of 2 s.
  // prettier-ignore
  const table: [tolerance: number | undefined, tooOld: number, inFuture: number, inside: number | null, retryFirst: number | null][] = [
    [undefined, -305, 305, -295, -60],
    [600, -605, 605, -595, -60],
    [100, -105, 105, -95, -50],
    [11, -16, 16, -6, -5],
    [10, -15, 15, -5, -5],
    [9, -10, 10, -8, -4],
    [2, -3, 3, -1, -1],
    [1, -2, 2, null, null],
    [0, -1, 1, null, null],
  ]

  it.each(table)(
    'standardWebhooks, tolerance %s: too old at %s s, in the future at %s s, inside at %s s, the retry first sent at %s s',
    (tolerance, tooOld, inFuture, inside, retryFirst) => {
      const { signSecret } = getScheme('standardWebhooks').generateSecret()
      const cases = badDeliveries('standardWebhooks', {
        payload: { id: 'evt_1' },
        secret: signSecret,
        now: NOW,
        ...(tolerance === undefined ? {} : { tolerance }),
      })
      const at = (c: { headers: Record<string, string> } | undefined) =>
        c === undefined ? null : Number(c.headers['webhook-timestamp']) - NOW
      expect(at(find(cases, 'timestamp-too-old'))).toBe(tooOld)
      expect(at(find(cases, 'timestamp-in-future'))).toBe(inFuture)
      expect(at(find(cases, 'timestamp-just-inside'))).toBe(inside)
      const retry = find(cases, 'retried-with-new-signature')
      expect(at(retry?.sendFirst)).toBe(retryFirst)
      if (retry) expect(at(retry)).toBe(0)
      expect(find(cases, 'timestamp-too-old')).toMatchObject({
        expect: 'reject',
        reason: 'timestamp_too_old',
      })
      expect(find(cases, 'timestamp-in-future')).toMatchObject({
        expect: 'reject',
        reason: 'timestamp_in_future',
      })
      // Judged with the same tolerance: each case is on its side of the edge.
      const verify = (c: { headers: Record<string, string>; body: string | Uint8Array }) =>
        getScheme('standardWebhooks').verify({
          headers: c.headers,
          body: c.body,
          secret: signSecret,
          now: NOW,
          ...(tolerance === undefined ? {} : { tolerance }),
        }).ok
      for (const c of cases.filter((c) => c.group === 'signature')) {
        expect({ name: c.name, ok: verify(c) }).toEqual({ name: c.name, ok: c.expect === 'accept' })
      }
      if (retry) expect(verify(retry.sendFirst!)).toBe(true)
    },
  )

  it('stripe, tolerance 600: the edges move, and still no future case (stripe-node accepts those)', () => {
    const cases = badDeliveries('stripe', {
      payload: { id: 'evt_1' },
      secret: 'whsec_x',
      now: NOW,
      tolerance: 600,
    })
    expect(find(cases, 'timestamp-too-old')!.headers['stripe-signature']).toMatch(
      new RegExp(`^t=${NOW - 605},v1=`),
    )
    expect(find(cases, 'timestamp-just-inside')!.headers['stripe-signature']).toMatch(
      new RegExp(`^t=${NOW - 595},v1=`),
    )
    expect(find(cases, 'timestamp-in-future')).toBeUndefined()
  })

  it('a scheme with no timestamp gets no timestamp cases and no retry, whatever the tolerance', () => {
    const names = badDeliveries('github', {
      payload: {},
      secret: 's',
      now: NOW,
      tolerance: 300,
      maxBodyBytes: 64,
    })
      .map((c) => c.name)
      .filter((n) => n.startsWith('timestamp-') || n.startsWith('retried-'))
    // GitHub signs no time: a request "signed 305 s ago" would be the valid one again.
    expect(names).toEqual([])
  })
})
