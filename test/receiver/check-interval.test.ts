// node:http checks headersTimeout and requestTimeout only every connectionsCheckingInterval
// (30 s by default), so a 10 s headersTimeout could let a silent sender hold a connection for
// 40 s. The receiver checks four times per headersTimeout, at most once a second and at least
// 10 ms apart. Pinned on the server options, not timed: these machines are shared and noisy.
import { describe, expect, it } from 'vitest'
import { connectionLimits, serverOptions } from '../../src/receiver/limits.js'

const intervalFor = (headersTimeout: number): number | undefined =>
  serverOptions(connectionLimits({ headersTimeout, maxConnections: 10 }))
    .connectionsCheckingInterval

describe('how often node:http checks the receiver timeouts', () => {
  it.each([
    [10_000, 1000],
    [4_003, 1000],
    [4_000, 1000],
    [3_999, 999],
    [400, 100],
    [41, 10],
    [40, 10],
    [39, 10],
    [1, 10],
  ])('is every headersTimeout / 4, from 10 ms to 1 s: %i ms -> %i ms', (timeout, interval) => {
    expect(intervalFor(timeout)).toBe(interval)
  })

  it('passes both timeouts to node:http as given', () => {
    const options = serverOptions(
      connectionLimits({ headersTimeout: 1_500, requestTimeout: 2_500, maxConnections: 10 }),
    )
    expect(options).toEqual({
      headersTimeout: 1_500,
      requestTimeout: 2_500,
      connectionsCheckingInterval: 375,
    })
  })
})
