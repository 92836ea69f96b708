import { describe, expect, it } from 'vitest'
import { checkReceiver, reportToJUnit, type ReceiverReport } from '../../src/index.js'
import { fetchReceiver } from '../apps/fetch-receiver.js'

const secret = 'whsec_junit'
const payload = { id: 'evt_junit', object: 'event', type: 'invoice.paid', data: { object: {} } }

describe('reportToJUnit', () => {
  it('one testcase per case, a failure per wrong answer, skipped cases with their reason', async () => {
    const app = fetchReceiver({ scheme: 'stripe', secret, bugs: ['no-body-limit'] })
    const report = await checkReceiver(app.fetch, {
      scheme: 'stripe',
      secret,
      payload,
      only: ['robustness', 'valid'],
      pair: { older: { id: 'evt_a' }, newer: { id: 'evt_b' } },
    })
    const xml = reportToJUnit(report, { timeMs: 1234 })
    expect(xml.match(/<testcase /g)).toHaveLength(report.results.length)
    expect(xml).toContain('tests="4" failures="1" errors="0" skipped="0" time="1.234"')
    expect(xml).toContain('<testcase classname="hookwright.signature" name="valid"/>')
    expect(xml).toMatch(
      /<testcase classname="hookwright.robustness" name="oversized-body">\n {6}<failure type="wrongly-accepted" message="wrongly accepted: got 200">A validly signed body/,
    )
    const github = await checkReceiver('http://127.0.0.1:9/', {
      scheme: 'github',
      secret: 's',
      payload,
      only: ['out-of-order'],
    })
    expect(reportToJUnit(github)).toContain(
      '<testcase classname="hookwright" name="out-of-order">\n      <skipped message="no event pair for github: pass `pair: { older, newer }`"/>',
    )
  })

  it('escapes what XML cannot hold as text', () => {
    const report: ReceiverReport = {
      ok: false,
      url: 'http://127.0.0.1/a?b=1&c=<2>',
      target: 'url',
      scheme: 'stripe',
      results: [
        {
          name: 'valid',
          group: 'signature',
          description: 'say "hi" & <bye>\u0001',
          expect: 'accept',
          status: 500,
          verdict: 'wrongly-rejected',
          warning: 'w & w',
        },
      ],
      wronglyAccepted: [],
      wronglyRejected: [],
      noAnswer: [],
      failed: [],
      warnings: [],
      skipped: [],
      summary: '',
    }
    report.failed.push(report.results[0]!)
    const xml = reportToJUnit(report)
    expect(xml).toContain('name="hookwright check stripe http://127.0.0.1/a?b=1&amp;c=&lt;2&gt;"')
    expect(xml).toContain('>say &quot;hi&quot; &amp; &lt;bye&gt;</failure>')
    expect(xml).toContain('<system-out>warning: w &amp; w</system-out>')
    expect(xml).not.toContain('\u0001')
  })
})
