import { describe, expect, it } from 'vitest'
import { HookwrightError } from '../../src/index.js'
import { defineScheme } from '../../src/schemes/define.js'
import type { SignOptions, VerifyOptions } from '../../src/schemes/types.js'

// defineScheme is how every scheme is built (src/schemes/*.ts): what it promises a scheme's
// author about the headers `sign` returns.

interface LabelOptions extends SignOptions {
  label?: string
}

/** A scheme whose header is made from an option, not copied from it. */
const labelled = () =>
  defineScheme<LabelOptions, VerifyOptions>({
    name: 'labelled',
    headers: ['x-label'],
    sign: ({ options }) => ({ 'x-label': `label=${options.label ?? 'none'}` }),
    verify: (ctx) => ctx.fail('bad_signature', 'never'),
  })

describe('defineScheme: the headers sign returns', () => {
  it('names the header when its value was built from options, not copied from one', () => {
    const scheme = labelled()
    expect(scheme.sign({ payload: {}, secret: 's3cret', label: 'a' }).headers).toEqual({
      'x-label': 'label=a',
    })
    let error: unknown
    try {
      scheme.sign({ payload: {}, secret: 's3cret', label: 'a\r\nx-injected: 1' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(HookwrightError)
    expect(error).toMatchObject({
      code: 'HOOKWRIGHT_INVALID_OPTION',
      message:
        'Invalid option `the x-label header`: expected a non-empty string without control characters (no CR or LF), got "label=a\\r\\nx-injected: 1".',
    })
  })
})
