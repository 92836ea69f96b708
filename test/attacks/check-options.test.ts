// checkReceiver's options as a user sets them: what reaches the receiver (method, headers,
// path, how many copies, how big a burst), which cases a selection runs, how the cases follow
// the receiver's tolerance and body limit, how out-of-order retries and judges, and which
// option each misuse names.
import { describe, expect, it } from 'vitest'
import {
  checkReceiver,
  getScheme,
  HookwrightError,
  retryPolicies,
  shopify,
} from '../../src/index.js'
import { fetchReceiver } from '../apps/fetch-receiver.js'

const scheme = 'stripe'
const secret = 'whsec_test_secret_for_options'
const swSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', data: { amount: 1200 } }

describe('checkReceiver options reach the receiver', () => {
  it('method, extra headers, path, concurrency and burst', async () => {
    const app = fetchReceiver({ scheme, secret })
    const seen: Array<{ method: string; url: string; tenant: string | null }> = []
    const report = await checkReceiver(
      async (request: Request) => {
        seen.push({
          method: request.method,
          url: request.url,
          tenant: request.headers.get('x-tenant'),
        })
        return app.fetch(request)
      },
      {
        scheme,
        secret,
        payload,
        method: 'put',
        headers: { 'x-tenant': 'acme' },
        path: '/hooks/stripe',
        only: ['valid', 'concurrent-duplicates', 'answer-time'],
        concurrency: 3,
        burst: 4,
        processedCount: app.processed,
      },
    )
    expect(report.failed).toEqual([])
    expect(report.url).toBe('http://127.0.0.1/hooks/stripe')
    // valid, 3 copies, a burst of 4.
    expect(seen).toHaveLength(1 + 3 + 4)
    for (const s of seen) {
      expect(s).toEqual({ method: 'PUT', url: 'http://127.0.0.1/hooks/stripe', tenant: 'acme' })
    }
    const r = Object.fromEntries(report.results.map((x) => [x.name, x]))
    expect(r['concurrent-duplicates']!.note).toMatch(/^Processed once for 3 copies \(/)
    expect(r['answer-time']!.timing).toMatchObject({ count: 4 })
    expect(r['answer-time']!.note).toMatch(/for 4 at once; limit 10000 ms/)
  })

  it('the bounds of concurrency (2 to 100) and burst (1 to 200) are inclusive', async () => {
    // A fresh app each run: an app remembers the event ids of the runs before.
    const run = (extra: object) => {
      const app = fetchReceiver({ scheme, secret })
      return checkReceiver(app.fetch, {
        scheme,
        secret,
        payload,
        processedCount: app.processed,
        ...extra,
      })
    }
    for (const concurrency of [2, 100]) {
      const report = await run({ only: ['concurrent-duplicates'], concurrency })
      expect(report.results[0]!.note).toMatch(
        new RegExp(`^Processed once for ${concurrency} copies`),
      )
    }
    for (const burst of [1, 200]) {
      const report = await run({ only: ['answer-time'], burst })
      expect(report.results[0]!.timing!.count).toBe(burst)
      if (burst === 1) {
        // One answer: it is both the median and the slowest.
        expect(report.results[0]!.timing!.p50Ms).toBe(report.results[0]!.timing!.maxMs)
      }
    }
  })

  it('the cases follow the tolerance and body limit the receiver is said to have', async () => {
    // The receiver (stripe-node) allows 300 s. Told 600 s, the case signed "just inside"
    // 600 s is refused by it; told 100 s, the case signed "too old" for 100 s is accepted.
    const app = fetchReceiver({ scheme, secret })
    const wide = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      tolerance: 600,
      only: ['timestamp-just-inside', 'timestamp-too-old'],
    })
    expect(wide.failed.map((f) => [f.name, f.verdict])).toEqual([
      ['timestamp-just-inside', 'wrongly-rejected'],
    ])
    const narrow = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      tolerance: 100,
      only: ['timestamp-just-inside', 'timestamp-too-old'],
    })
    expect(narrow.failed.map((f) => [f.name, f.verdict])).toEqual([
      ['timestamp-too-old', 'wrongly-accepted'],
    ])
    // The app takes up to 512 kB: a 1 kB limit makes its acceptance of a bigger body wrong.
    const small = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      maxBodyBytes: 1024,
      only: ['oversized-body'],
    })
    expect(small.failed.map((f) => [f.name, f.verdict, f.status])).toEqual([
      ['oversized-body', 'wrongly-accepted', 200],
    ])
  })
})

describe('checkReceiver selection', () => {
  it('names of cases another scheme has, and missing-header-*, select nothing here', async () => {
    const app = fetchReceiver({ scheme, secret })
    for (const name of ['missing-token', 'timestamp-in-future', 'missing-header-webhook-id']) {
      const report = await checkReceiver(app.fetch, { scheme, secret, payload, only: [name] })
      expect([name, report.results]).toEqual([name, []])
      expect(report.summary).toBe(
        'checkReceiver http://127.0.0.1/ (stripe): all 0 cases answered as expected.',
      )
    }
    const sw = fetchReceiver({ scheme: 'standardWebhooks', secret: swSecret })
    const missing = await checkReceiver(sw.fetch, {
      scheme: 'standardWebhooks',
      secret: swSecret,
      payload,
      only: ['missing-header-webhook-id'],
    })
    expect(missing.results.map((r) => [r.name, r.verdict])).toEqual([
      ['missing-header-webhook-id', 'ok'],
    ])
  })

  it('skip takes case names and group names; the summary lists the passes and skips', async () => {
    const report = await checkReceiver(async () => new Response(null, { status: 401 }), {
      scheme: 'github',
      secret: 's',
      payload,
      skip: [
        'idempotency',
        'timing',
        'valid',
        'valid-pretty-json',
        'oversized-body',
        'alive-after-garbage',
      ],
    })
    expect(report.ok).toBe(true)
    expect(report.results.every((r) => r.group === 'signature' && r.expect === 'reject')).toBe(true)
    expect(report.results.length).toBeGreaterThan(3)
    expect(report.summary.split('\n')).toEqual([
      `checkReceiver http://127.0.0.1/ (github): all ${report.results.length} cases answered as expected.`,
      `  ✓ ${report.results.map((r) => `${r.name} 401`).join(', ')}`,
      '  - out-of-order: skipped, no event pair for github: pass `pair: { older, newer }`',
    ])
  })
})

describe('checkReceiver out-of-order', () => {
  it.each([
    ['slack', retryPolicies.slack, '0 s, 1 min, 5 min', '200 after 0 s'],
    [
      'standardWebhooks',
      retryPolicies.standardWebhooks,
      '5 s, 5 min, 30 min, 2 h',
      '200 after 5 s',
    ],
  ] as const)(
    'a 500 a %s retry resolves is a warning with the schedule',
    async (_, retry, plan, resolved) => {
      const app = fetchReceiver({ scheme, secret, bugs: ['update-before-create-500'] })
      const report = await checkReceiver(app.fetch, {
        scheme,
        secret,
        payload,
        only: ['out-of-order'],
        retry,
      })
      expect(report.ok).toBe(true)
      expect(report.results[0]).toMatchObject({ verdict: 'ok', status: 200 })
      const warning = report.results[0]!.warning!
      expect(warning).toMatch(
        new RegExp(
          `^The newer event got 500 when it arrived out of order; ${retry.name} retries \\(${plan}`,
        ),
      )
      expect(warning).toMatch(
        new RegExp(
          `; ${retry.source.replace(/[.?]/g, '\\$&')}\\) would resolve it: 500, then ${resolved}\\.$`,
        ),
      )
      expect(report.summary).toContain(`  ! out-of-order: ${warning}`)
    },
  )

  it.each([
    ['github', getScheme('github'), 'x-github-delivery'],
    ['shopify', getScheme('shopify'), 'x-shopify-webhook-id'],
    ['shopify (events headers)', shopify.with({ headerStyle: 'events' }), 'shopify-webhook-id'],
    ['standardWebhooks', getScheme('standardWebhooks'), 'webhook-id'],
    ['svix', getScheme('svix'), 'svix-id'],
  ] as const)(
    '%s: a retry of an event refused out of order is the same message (same %s)',
    async (_, schemeValue, idHeader) => {
      // Fails the first attempt of each message id: only a retry under the same id passes.
      const attempts = new Map<string, number>()
      const failFirstAttempt = async (request: Request) => {
        const id = request.headers.get(idHeader) ?? ''
        attempts.set(id, (attempts.get(id) ?? 0) + 1)
        return new Response(null, { status: attempts.get(id)! > 1 && id !== '' ? 200 : 500 })
      }
      const older = { id: 'obj_1', status: 'open', version: 1 }
      const newer = { id: 'obj_1', status: 'closed', version: 2 }
      const { signSecret } = schemeValue.generateSecret()
      const report = await checkReceiver(failFirstAttempt, {
        scheme: schemeValue,
        secret: signSecret,
        payload,
        only: ['out-of-order'],
        pair: { older, newer },
        retry: retryPolicies.slack,
      })
      expect(report.results[0]).toMatchObject({ verdict: 'ok' })
      expect(report.results[0]!.warning).toMatch(
        /^The newer event got 500 .* The older event got 500 /,
      )
      expect([...attempts.values()]).toEqual([2, 2])
    },
  )

  it('judges the record through stateOf, called with the object id', async () => {
    const older = {
      id: 'evt_o',
      object: 'event',
      type: 'customer.created',
      created: 100,
      data: { object: { id: 'cus_1', object: 'customer', plan: 'free', seats: 1 } },
    }
    const newer = {
      ...older,
      id: 'evt_n',
      type: 'customer.updated',
      created: 200,
      data: { object: { id: 'cus_1', object: 'customer', plan: 'pro', seats: 5 } },
    }
    for (const bugs of [[], ['last-write-wins']] as const) {
      const app = fetchReceiver({ scheme, secret, bugs })
      const asked: unknown[] = []
      const report = await checkReceiver(app.fetch, {
        scheme,
        secret,
        payload,
        only: ['out-of-order'],
        pair: { older, newer },
        stateOf: async (id) => {
          asked.push(id)
          return app.state(id)
        },
      })
      expect(asked).toEqual(['cus_1'])
      expect(report.results[0]).toMatchObject(
        bugs.length === 0
          ? { verdict: 'ok', status: 200, note: "The record holds the newer event's plan, seats." }
          : {
              verdict: 'wrong-state',
              note:
                'After both events, the record holds the older event\'s plan, seats (plan: "free", ' +
                'newer "pro"; seats: 1, newer 5): compare the event\'s time with the stored one before writing.',
            },
      )
    }
    // Without stateOf the two 2xx answers are all it can judge.
    const app = fetchReceiver({ scheme, secret, bugs: ['last-write-wins'] })
    const blind = await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      only: ['out-of-order'],
      pair: { older, newer },
    })
    expect(blind.results[0]).toMatchObject({ verdict: 'ok', status: 200 })
    expect(blind.results[0]!.note).toBeUndefined()
    // An object with no id: stateOf is asked about undefined.
    const asked: unknown[] = []
    await checkReceiver(app.fetch, {
      scheme,
      secret,
      payload,
      only: ['out-of-order'],
      pair: { older: { data: { n: 1 } }, newer: { data: { n: 2 } } },
      stateOf: (id) => {
        asked.push(id)
        return undefined
      },
    })
    expect(asked).toEqual([undefined])
  })
})

describe('checkReceiver misuse names the option', () => {
  const base = { scheme, secret, payload }
  const app = fetchReceiver({ scheme, secret })

  it.each([
    [
      'method',
      { method: 'PO ST' },
      /^Invalid option `method`: expected an HTTP method such as "POST"/,
    ],
    ['method', { method: 5 }, /`method`/],
    ['stateOf', { stateOf: 'cus_1' }, /^Invalid option `stateOf`: expected a function \(id\)/],
    [
      'processedCount',
      { processedCount: 3 },
      /^Invalid option `processedCount`: expected a function/,
    ],
    [
      'concurrency',
      { concurrency: 1 },
      /^Invalid option `concurrency`: expected a whole number from 2 to 100, got 1\./,
    ],
    ['concurrency', { concurrency: 101 }, /`concurrency`.*got 101/],
    ['concurrency', { concurrency: 2.5 }, /`concurrency`/],
    [
      'burst',
      { burst: 0 },
      /^Invalid option `burst`: expected a whole number from 1 to 200, got 0\./,
    ],
    ['burst', { burst: 201 }, /`burst`.*got 201/],
    ['answerTimeLimitMs', { answerTimeLimitMs: -1 }, /`answerTimeLimitMs`/],
    ['retry', { retry: { name: 'x' } }, /`retry`/],
    ['headers', { headers: 'x-a: 1' }, /`headers`/],
    ['only', { only: 'valid' }, /^Invalid option `only`: expected an array of case or group names/],
    ['only', { only: [1] }, /`only`: expected an array of case or group names/],
    ['skip', { skip: [null] }, /^Invalid option `skip`: expected an array of case or group names/],
    [
      'skip',
      { skip: ['valid', 'nope'] },
      /^Invalid option `skip`: expected case or group names: signature, idempotency, timing, robustness, .*valid.*, got "nope"/s,
    ],
    ['only', { only: ['valid'], skip: ['nope'] }, /`skip`/],
  ] as const)('%s: %o', async (_, extra, message) => {
    const error = await checkReceiver(app.fetch, { ...base, ...extra } as never).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(HookwrightError)
    expect((error as HookwrightError).code).toBe('HOOKWRIGHT_INVALID_OPTION')
    expect((error as Error).message).toMatch(message)
  })

  it('options that are not an object', async () => {
    for (const options of [null, undefined, 'stripe']) {
      await expect(checkReceiver(app.fetch, options as never)).rejects.toThrow(
        /^Invalid option `checkReceiver\(target, options\)`: expected an object \{ scheme, secret, payload, … \}/,
      )
    }
  })

  it('an unknown option lists the accepted ones', async () => {
    await expect(checkReceiver(app.fetch, { ...base, timeout: 5 } as never)).rejects.toThrow(
      /^Invalid option `checkReceiver\(\{ timeout \}\)`: expected one of scheme, secret, payload, tolerance, headers, method, timeoutMs, processedCount, dispatcher, path, only, skip, concurrency, burst, answerTimeLimitMs, maxBodyBytes, pair, stateOf, retry, got "timeout"\./,
    )
  })
})
