// The default connection cap follows the process's open-files limit (Linux), so a receiver
// under a low `ulimit -n` still has descriptors left to accept and answer a connection.
import { describe, expect, it } from 'vitest'
import { maxConnectionsFor } from '../../src/receiver/limits.js'

const limitsWith = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    'Max processes             95289                95289                processes ',
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n')

describe('the default maxConnections', () => {
  it.each([
    ['1048576', 1000],
    ['1101', 1000],
    ['1100', 1000],
    ['1099', 999],
    ['1024', 924],
    ['117', 17],
    ['116', 16],
    ['100', 16],
    ['1', 16],
  ])('is %s open files less 100, between 16 and 1,000: %i', (soft, cap) => {
    expect(maxConnectionsFor(limitsWith(soft, '1048576'))).toBe(cap)
  })

  it('reads the soft limit, not the hard one', () => {
    expect(maxConnectionsFor(limitsWith('512', '1048576'))).toBe(412)
    expect(maxConnectionsFor(limitsWith('1048576', '512'))).toBe(1000)
  })

  it.each([
    ['no /proc (not Linux)', undefined],
    ['an unlimited soft limit', limitsWith('unlimited', 'unlimited')],
    ['a limit of 0', limitsWith('0', '0')],
    ['no open-files line', 'Max cpu time unlimited unlimited seconds'],
    ['the line not at the start of a line', `x Max open files 50 50 files`],
  ])('is 1,000 with %s', (_, limits) => {
    expect(maxConnectionsFor(limits)).toBe(1000)
  })
})
