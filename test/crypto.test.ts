import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  decodeStrict,
  digest,
  digestText,
  encode,
  hmac,
  hmacText,
  matchHmac,
  safeEqual,
  safeEqualString,
  safeEqualText,
  safeIncludes,
  safeIncludesText,
  toBytes,
  utf8,
} from '../src/crypto.js'

// The primitives every scheme builds on, checked against node:crypto and Buffer as the referees.

const bytes = (text: string) => Buffer.from(text, 'utf8')

describe('byte helpers', () => {
  it('toBytes gives the UTF-8 bytes of a string and exactly the viewed bytes of a Uint8Array', () => {
    expect([...toBytes('é✓')]).toEqual([...Buffer.from('é✓', 'utf8')])
    // A view into the middle of a larger buffer: only its own bytes, not the whole backing store.
    const backing = Uint8Array.from([1, 2, 3, 4, 5, 6])
    const view = backing.subarray(2, 4)
    expect([...toBytes(view)]).toEqual([3, 4])
    // A Buffer is returned as it is (no copy): a write through one shows in the other.
    const buffer = Buffer.from('abc')
    expect(toBytes(buffer)).toBe(buffer)
    expect([...utf8('é')]).toEqual([0xc3, 0xa9])
  })

  it('encode writes bytes as hex, base64 and base64url', () => {
    const data = Uint8Array.from([0xfb, 0xff, 0x01])
    expect(encode(data, 'hex')).toBe('fbff01')
    expect(encode(data, 'base64')).toBe('+/8B')
    expect(encode(data, 'base64url')).toBe('-_8B')
  })
})

describe('hmac and digests', () => {
  it('hmac and hmacText agree with node:crypto over head then body', () => {
    const expected = createHmac('sha256', 'key').update('head.').update('body').digest()
    expect(hmac('sha256', 'key', 'head.', bytes('body')).equals(expected)).toBe(true)
    expect(hmacText('sha256', 'key', 'hex', 'head.', bytes('body'))).toBe(expected.toString('hex'))
    expect(hmacText('sha256', 'key', 'base64', 'head.', bytes('body'))).toBe(
      expected.toString('base64'),
    )
    // No body: the HMAC of the head alone.
    expect(hmacText('sha1', bytes('key'), 'hex', 'head.')).toBe(
      createHmac('sha1', 'key').update('head.').digest('hex'),
    )
  })

  it('digest and digestText are the plain hash', () => {
    const sha = createHash('sha256').update('abc').digest()
    expect(digest('sha256', 'abc').equals(sha)).toBe(true)
    expect(digestText('sha256', bytes('abc'), 'hex')).toBe(sha.toString('hex'))
    expect(digestText('sha512', 'abc', 'base64')).toBe(
      createHash('sha512').update('abc').digest('base64'),
    )
  })
})

describe('constant-time comparisons', () => {
  it('safeEqual is byte equality, false for different lengths', () => {
    expect(safeEqual(bytes('abc'), bytes('abc'))).toBe(true)
    expect(safeEqual(bytes('abc'), bytes('abd'))).toBe(false)
    expect(safeEqual(bytes('abc'), bytes('abcd'))).toBe(false)
    expect(safeEqual(bytes('abcd'), bytes('abc'))).toBe(false)
    expect(safeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
  })

  it('safeEqualString compares UTF-8 bytes, so a non-ASCII token cannot alias an ASCII one', () => {
    // In latin1, U+0101 (ā) and U+0001 are both the byte 0x01, and '€' and '¬' both 0xAC.
    expect(safeEqualString('tok\u0101', 'tok\u0001')).toBe(false)
    expect(safeEqualString('€', '\u00ac')).toBe(false)
    expect(safeEqualString('tokén', 'tokén')).toBe(true)
    expect(safeEqualString('token', 'tokens')).toBe(false)
  })

  it('safeEqualText compares our ASCII signature with received bytes', () => {
    expect(safeEqualText('abc123', bytes('abc123'))).toBe(true)
    expect(safeEqualText('abc123', bytes('abc124'))).toBe(false)
    expect(safeEqualText('abc', bytes('abc\u0000'))).toBe(false)
  })

  it('safeIncludesText is true when any candidate matches, wherever it is in the list', () => {
    const candidates = [bytes('one'), bytes('two'), bytes('three')]
    for (const wanted of ['one', 'two', 'three']) {
      expect(safeIncludesText(wanted, candidates)).toBe(true)
    }
    expect(safeIncludesText('four', candidates)).toBe(false)
    expect(safeIncludesText('one', [])).toBe(false)
  })

  it('safeIncludes gives the index of the first expected value equal to the candidate', () => {
    const expected = [bytes('old'), bytes('new'), bytes('new')]
    expect(safeIncludes(expected, bytes('old'))).toBe(0)
    // Two equal entries (the same secret listed twice): the first one is reported.
    expect(safeIncludes(expected, bytes('new'))).toBe(1)
    expect(safeIncludes(expected, bytes('neww'))).toBe(-1)
    expect(safeIncludes([], bytes('x'))).toBe(-1)
  })
})

describe('matchHmac: which secret signed the request', () => {
  const head = 'id.1700000000.'
  const body = bytes('{"a":1}')
  const sign = (secret: string, encoding: 'hex' | 'base64' = 'hex') =>
    createHmac('sha256', secret).update(head).update(body).digest(encoding)

  it('gives the index of the secret that matches, -1 for none', () => {
    const received = bytes(sign('second'))
    expect(matchHmac('sha256', 'hex', ['first', 'second', 'third'], received, head, body)).toBe(1)
    expect(matchHmac('sha256', 'hex', ['first', 'third'], received, head, body)).toBe(-1)
    expect(matchHmac('sha256', 'hex', [], received, head, body)).toBe(-1)
  })

  it('gives the first matching secret when two match (a secret listed twice in a rotation)', () => {
    const received = bytes(sign('same'))
    expect(matchHmac('sha256', 'hex', ['other', 'same', 'same'], received, head, body)).toBe(1)
    expect(matchHmac('sha256', 'hex', ['same', 'same'], received, head, body)).toBe(0)
  })

  it('compares in the given encoding and accepts a list of received signatures', () => {
    const received = [bytes('garbage'), bytes(sign('b', 'base64'))]
    expect(matchHmac('sha256', 'base64', ['a', 'b'], received, head, body)).toBe(1)
    // The same digest as hex text is not the base64 text.
    expect(matchHmac('sha256', 'hex', ['a', 'b'], received, head, body)).toBe(-1)
    expect(matchHmac('sha256', 'base64', ['a', 'b'], [bytes('garbage')], head, body)).toBe(-1)
  })
})

describe('decodeStrict: canonical text only', () => {
  it('hex: pairs of hex digits, any case', () => {
    expect(decodeStrict('00ffAB', 'hex')).toEqual(Buffer.from([0, 255, 171]))
    expect(decodeStrict('', 'hex')).toEqual(Buffer.alloc(0))
    for (const bad of ['abc', 'zz', '0x00', 'ab ', '+/8B']) {
      expect({ bad, decoded: decodeStrict(bad, 'hex') }).toEqual({ bad, decoded: undefined })
    }
  })

  it('base64: padded, standard alphabet, no stray characters', () => {
    expect(decodeStrict('+/8B', 'base64')).toEqual(Buffer.from([0xfb, 0xff, 0x01]))
    expect(decodeStrict('QQ==', 'base64')).toEqual(Buffer.from('A'))
    expect(decodeStrict('QUI=', 'base64')).toEqual(Buffer.from('AB'))
    // Hex text that is also valid base64 decodes as base64, not as hex.
    expect(decodeStrict('abcd', 'base64')).toEqual(Buffer.from('abcd', 'base64'))
    for (const bad of ['QQ', 'QUI', '-_8B', 'QQ=', 'Q===', 'QQ==QQ==', 'a b=', '!!!!']) {
      expect({ bad, decoded: decodeStrict(bad, 'base64') }).toEqual({ bad, decoded: undefined })
    }
  })

  it('base64url: url alphabet, unpadded, never a length that cannot be whole bytes', () => {
    expect(decodeStrict('-_8B', 'base64url')).toEqual(Buffer.from([0xfb, 0xff, 0x01]))
    expect(decodeStrict('QQ', 'base64url')).toEqual(Buffer.from('A'))
    expect(decodeStrict('QUI', 'base64url')).toEqual(Buffer.from('AB'))
    expect(decodeStrict('', 'base64url')).toEqual(Buffer.alloc(0))
    // One character past a group of four is no whole byte.
    for (const bad of ['Q', 'QUJDR', '+/8B', 'QQ==', 'a b']) {
      expect({ bad, decoded: decodeStrict(bad, 'base64url') }).toEqual({ bad, decoded: undefined })
    }
  })
})
