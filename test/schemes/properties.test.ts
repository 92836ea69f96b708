import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { schemes, verifyFailureReasons } from '../../src/index.js'
import type { AnyScheme, HeadersLike, VerifyResult } from '../../src/index.js'

/**
 * Properties every scheme in the registry must have, so a scheme added later is covered without
 * touching this file: what it signs verifies; a change to the bytes it signs, or to its signature,
 * is `bad_signature`; and no input, however hostile, makes `verify` throw.
 */

// URL-signing schemes (Twilio) need one; the others ignore it.
const url = 'http://127.0.0.1/h/x'
const now = 1_700_000_000
const id = 'msg_property'
// A fixed seed, so a failure reproduces: fast-check prints the seed and the counterexample's path
// in its message; FC_SEED=<n> runs other inputs. Nothing is generated or signed at collection
// time (keys, probes and samples are made inside each test), so Stryker's per-test coverage sees
// which test ran which code and can run this file with the rest (docs/testing.md).
const seed = process.env.FC_SEED === undefined ? 20_261_129 : Number(process.env.FC_SEED)
const runs = { numRuns: 150, seed }

const all = Object.entries(schemes) as Array<[string, AnyScheme]>

/** Signs with fixed time, id and URL, so two signatures differ only where the bodies do. */
function signed(scheme: AnyScheme, secret: string, payload: string | Uint8Array | object) {
  const result = scheme.sign({ payload, secret, timestamp: now, id, url })
  // A scheme may move part of what it signs into the URL (Twilio's bodySHA256): verify against it.
  const signedUrl = (result as { url?: unknown }).url
  return { ...result, url: typeof signedUrl === 'string' ? signedUrl : url }
}

/** The values of the headers the scheme itself reads, to compare two signatures. */
function schemeHeaders(scheme: AnyScheme, headers: Record<string, string>): string {
  return JSON.stringify(scheme.headers.map((name) => headers[name] ?? null))
}

function reasonOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.reason
}

const bodies = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 600 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
  fc.json(),
)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64URL = B64.slice(0, 62) + '-_'

/**
 * The signature inside a header value: its longest run of base64/hex characters (the digest in
 * `t=…,v1=<hex>`, `sha256=<hex>`, `v1,<base64>`), and the alphabet it is written in, so a
 * replacement character keeps the header well-formed and only the signature changes.
 */
function signatureSpan(value: string): { start: number; text: string; alphabet: string } {
  let best = { start: 0, text: '' }
  for (const match of value.matchAll(/[A-Za-z0-9+/_-]+/g)) {
    if (match[0].length > best.text.length) best = { start: match.index, text: match[0] }
  }
  const alphabet = /^[0-9a-f]+$/.test(best.text)
    ? '0123456789abcdef'
    : /^[0-9A-F]+$/.test(best.text)
      ? '0123456789ABCDEF'
      : /[-_]/.test(best.text) && !/[+/]/.test(best.text)
        ? B64URL
        : B64
  return { ...best, alphabet }
}

/** A fresh key pair and what the properties need to know about the scheme; called inside tests. */
function setup(scheme: AnyScheme) {
  const { signSecret, verifySecret } = scheme.generateSecret()
  const verify = (headers: HeadersLike, body: string | Uint8Array, verifyUrl = url) =>
    scheme.verify({ headers, body, secret: verifySecret, now, url: verifyUrl })
  // Generic detection of schemes that do not sign the body (a plain token header): two different
  // bodies get the same headers. No list of names, so new schemes are classified by what they do.
  const signsBody =
    schemeHeaders(scheme, signed(scheme, signSecret, '{"n":1}').headers) !==
    schemeHeaders(scheme, signed(scheme, signSecret, '{"n":2}').headers)
  // A scheme that reads its timestamp from the signed body (Linear's webhookTimestamp) refuses a
  // body without one as malformed, as its official library does; it is given event objects, which
  // its sign stamps. Detected by behaviour, so no list of names.
  const readsBody =
    reasonOf(verify(signed(scheme, signSecret, 'not json').headers, 'not json')) ===
    'malformed_header'
  return { signSecret, verifySecret, verify, signsBody, readsBody }
}

const events = fc.dictionary(
  fc.string().filter((k) => k !== 'webhookTimestamp' && k !== '__proto__'),
  fc.jsonValue(),
)

describe.each(all)('every scheme: %s', (_name, scheme) => {
  it('verifies what it signs', () => {
    const { signSecret, verify, readsBody } = setup(scheme)
    fc.assert(
      fc.property(readsBody ? events : bodies, (payload) => {
        const request = signed(scheme, signSecret, payload as string | Uint8Array | object)
        expect(reasonOf(verify(request.headers, request.body, request.url))).toBe('ok')
      }),
      runs,
    )
  })

  it('refuses any single-character change to a plain alphanumeric body', () => {
    const { signSecret, verify, signsBody } = setup(scheme)
    // Letters and digits mean the same to every scheme (no form escapes, no separators), so here
    // no change may go unseen: this catches a scheme that skips part of the body.
    const alnum = B64.slice(0, 62)
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...alnum), minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        (body, at, pick) => {
          const request = signed(scheme, signSecret, body)
          const i = at % body.length
          const others = alnum.replace(body[i]!, '')
          const tampered = body.slice(0, i) + others[pick % others.length] + body.slice(i + 1)
          expect(reasonOf(verify(request.headers, tampered, request.url))).toBe(
            signsBody ? 'bad_signature' : 'ok',
          )
        },
      ),
      runs,
    )
  })

  it('refuses any single-byte change to the body it signs', () => {
    const { signSecret, verify, signsBody } = setup(scheme)
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, at, delta) => {
          const request = signed(scheme, signSecret, body)
          const tampered = Uint8Array.from(body)
          const i = at % tampered.length
          tampered[i] = (tampered[i]! + delta) % 256
          // A change the signature cannot see (Twilio signs decoded form fields: "+" and "%20"
          // are both a space) is no tampering; every other one must be refused.
          const visible =
            signsBody &&
            schemeHeaders(scheme, signed(scheme, signSecret, tampered).headers) !==
              schemeHeaders(scheme, request.headers)
          expect(reasonOf(verify(request.headers, tampered, request.url))).toBe(
            visible ? 'bad_signature' : 'ok',
          )
        },
      ),
      runs,
    )
  })

  it('refuses any single-character change to the signature', () => {
    const { signSecret, verify } = setup(scheme)
    const signatureHeader = scheme.headers[0]!
    fc.assert(
      fc.property(bodies, fc.nat(), fc.nat(), (payload, at, pick) => {
        const request = signed(scheme, signSecret, payload as string | Uint8Array)
        const value = request.headers[signatureHeader]
        expect(value, `${scheme.name} writes its ${signatureHeader} header`).toBeTypeOf('string')
        const span = signatureSpan(value!)
        const i = span.start + (at % span.text.length)
        const others = span.alphabet.replace(value![i]!, '')
        const changed = value!.slice(0, i) + others[pick % others.length] + value!.slice(i + 1)
        const headers = { ...request.headers, [signatureHeader]: changed }
        expect(reasonOf(verify(headers, request.body, request.url))).toBe('bad_signature')
      }),
      runs,
    )
  })

  it('never throws on hostile headers and bodies, and always gives a documented reason', () => {
    const { signSecret, verifySecret } = setup(scheme)
    const valid = signed(scheme, signSecret, '{"ok":true}')
    const names = [
      ...scheme.headers,
      ...scheme.headers.map((h) => h.toUpperCase()),
      'svix-signature',
    ]
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom(...Object.values(valid.headers), 't=,v1=', 'v1,', 'sha256=', 'v0=', ' , ,='),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.integer(),
      fc.constant(undefined),
    )
    const headers = fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), value),
      // Near misses: the real headers with one value replaced, which reach deeper into parsing.
      fc
        .tuple(fc.constantFrom(...names), value)
        .map(([name, v]) => ({ ...valid.headers, [name]: v })),
      fc.array(fc.tuple(fc.constantFrom(...names), fc.string()), { maxLength: 4 }),
    )
    const body = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary' }))
    fc.assert(
      fc.property(headers, body, fc.option(fc.integer({ min: 0, max: 2e9 })), (h, b, at) => {
        const result = scheme.verify({
          headers: h as HeadersLike,
          body: b,
          secret: verifySecret,
          now: at ?? now,
          url,
        })
        expect(result.scheme).toBe(scheme.name)
        if (!result.ok) {
          expect(verifyFailureReasons).toContain(result.reason)
          expect(result.message).not.toContain(verifySecret)
        }
      }),
      { numRuns: 200, seed },
    )
  })
})
