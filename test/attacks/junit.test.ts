import { describe, expect, it } from 'vitest'
import {
  checkReceiver,
  reportToJUnit,
  type CaseResult,
  type ReceiverReport,
} from '../../src/index.js'
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

describe('reportToJUnit, whole documents', () => {
  const result = (r: Partial<CaseResult> & Pick<CaseResult, 'name' | 'verdict'>): CaseResult => ({
    group: 'signature',
    description: `${r.name} described.`,
    expect: 'accept',
    ...r,
  })
  const reportOf = (
    results: CaseResult[],
    skipped: ReceiverReport['skipped'] = [],
  ): ReceiverReport => {
    const failed = results.filter((r) => r.verdict !== 'ok')
    return {
      ok: failed.length === 0,
      url: 'http://127.0.0.1:3000/hooks',
      target: 'url',
      scheme: 'stripe',
      results,
      wronglyAccepted: failed.filter((r) => r.verdict === 'wrongly-accepted'),
      wronglyRejected: failed.filter((r) => r.verdict === 'wrongly-rejected'),
      noAnswer: failed.filter((r) => r.verdict === 'no-answer'),
      failed,
      warnings: results.filter((r) => r.warning !== undefined),
      skipped,
      summary: '',
    }
  }

  it('passes, failures with their note, no answers, warnings and skips, counted in both elements', () => {
    const report = reportOf(
      [
        result({ name: 'valid', verdict: 'ok', status: 200 }),
        result({ name: 'replayed-message-id', verdict: 'ok', status: 200, note: 'Ignored.' }),
        result({
          name: 'tampered-body',
          verdict: 'wrongly-accepted',
          expect: 'reject',
          status: 200,
          note: 'Not checked.',
        }),
        result({
          name: 'concurrent-duplicates',
          group: 'idempotency',
          verdict: 'no-answer',
          error: { code: 'timeout', message: 'No answer within 10 ms.' },
        }),
        result({
          name: 'out-of-order',
          group: 'robustness',
          verdict: 'ok',
          status: 200,
          warning: 'Retried.',
          note: 'Newer state.',
        }),
        result({ name: 'answer-time', group: 'timing', verdict: 'too-slow', status: 200 }),
      ],
      [{ name: 'oversized-body', reason: 'no limit known' }],
    )
    expect(reportToJUnit(report)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="hookwright" tests="7" failures="3" errors="0" skipped="1">',
        '  <testsuite name="hookwright check stripe http://127.0.0.1:3000/hooks" tests="7" failures="3" errors="0" skipped="1">',
        '    <testcase classname="hookwright.signature" name="valid"/>',
        '    <testcase classname="hookwright.signature" name="replayed-message-id">',
        '      <system-out>Ignored.</system-out>',
        '    </testcase>',
        '    <testcase classname="hookwright.signature" name="tampered-body">',
        '      <failure type="wrongly-accepted" message="wrongly accepted: got 200">tampered-body described. Not checked.</failure>',
        '    </testcase>',
        '    <testcase classname="hookwright.idempotency" name="concurrent-duplicates">',
        '      <failure type="no-answer" message="no answer: got no answer (timeout)">concurrent-duplicates described.</failure>',
        '    </testcase>',
        '    <testcase classname="hookwright.robustness" name="out-of-order">',
        '      <system-out>warning: Retried.\nNewer state.</system-out>',
        '    </testcase>',
        '    <testcase classname="hookwright.timing" name="answer-time">',
        '      <failure type="too-slow" message="too slow: got 200">answer-time described.</failure>',
        '    </testcase>',
        '    <testcase classname="hookwright" name="oversized-body">',
        '      <skipped message="no limit known"/>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    )
  })

  it('a failure with a warning: the failure, then the warning, each on its own line', () => {
    const xml = reportToJUnit(
      reportOf([
        result({
          name: 'out-of-order',
          verdict: 'wrong-state',
          status: 200,
          note: 'Older.',
          warning: 'Retried.',
        }),
      ]),
    )
    expect(xml).toContain(
      '    <testcase classname="hookwright.signature" name="out-of-order">\n' +
        '      <failure type="wrong-state" message="wrong state: got 200">out-of-order described. Older.</failure>\n' +
        '      <system-out>warning: Retried.</system-out>\n' +
        '    </testcase>',
    )
  })

  it('the run time in seconds with three decimals, on both elements', () => {
    const xml = reportToJUnit(reportOf([]), { timeMs: 5 })
    expect(xml.match(/ time="0\.005"/g)).toHaveLength(2)
    expect(reportToJUnit(reportOf([]), { timeMs: 0 })).toContain('skipped="0" time="0.000">')
    expect(reportToJUnit(reportOf([]))).not.toContain('time=')
  })

  it('a failure with no answer and no error code, and a wrong note that stays out of system-out', () => {
    const xml = reportToJUnit(
      reportOf([
        result({ name: 'valid', verdict: 'no-answer' }),
        result({ name: 'out-of-order', verdict: 'wrong-state', status: 200, note: 'Older.' }),
      ]),
    )
    expect(xml).toContain('message="no answer: got no answer ()">valid described.</failure>')
    expect(xml).toContain('message="wrong state: got 200">out-of-order described. Older.</failure>')
    expect(xml).not.toContain('system-out')
  })

  it('drops the control characters XML 1.0 cannot hold and keeps tab, newline and return', () => {
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')
    const xml = reportToJUnit(
      reportOf([result({ name: 'valid', verdict: 'ok', status: 200, note: `[${controls}]` })]),
    )
    expect(xml).toContain('<system-out>[\t\n\r]</system-out>')
  })
})
