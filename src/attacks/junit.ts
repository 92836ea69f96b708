import type { ReceiverReport } from './check.js'

/**
 * A `checkReceiver` report as JUnit XML: one `<testcase>` per case (its group as the class
 * name), a `<failure>` for each wrong answer, `<skipped>` for cases that could not run, and
 * warnings in `<system-out>`. Any CI (GitHub Actions, GitLab, Jenkins, CircleCI) shows it as
 * a test suite.
 *
 * @example
 * await writeFile('hookwright.xml', reportToJUnit(await checkReceiver(url, options)))
 */
export function reportToJUnit(report: ReceiverReport, options: { timeMs?: number } = {}): string {
  const suite = `hookwright check ${report.scheme} ${report.url}`
  const failures = report.failed.length
  const time = options.timeMs === undefined ? '' : ` time="${(options.timeMs / 1000).toFixed(3)}"`
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hookwright" tests="${report.results.length + report.skipped.length}" failures="${failures}" errors="0" skipped="${report.skipped.length}"${time}>`,
    `  <testsuite name="${xml(suite)}" tests="${report.results.length + report.skipped.length}" failures="${failures}" errors="0" skipped="${report.skipped.length}"${time}>`,
  ]
  for (const r of report.results) {
    const open = `    <testcase classname="hookwright.${r.group}" name="${xml(r.name)}"`
    const seen = r.status !== undefined ? String(r.status) : `no answer (${r.error?.code ?? ''})`
    const body: string[] = []
    if (r.verdict !== 'ok') {
      body.push(
        `      <failure type="${r.verdict}" message="${xml(`${r.verdict.replace('-', ' ')}: got ${seen}`)}">${xml(
          `${r.description}${r.note ? ` ${r.note}` : ''}`,
        )}</failure>`,
      )
    }
    const out = [
      r.warning ? `warning: ${r.warning}` : '',
      r.note && r.verdict === 'ok' ? r.note : '',
    ]
      .filter(Boolean)
      .join('\n')
    if (out) body.push(`      <system-out>${xml(out)}</system-out>`)
    lines.push(body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`)
  }
  for (const s of report.skipped) {
    lines.push(
      `    <testcase classname="hookwright" name="${xml(s.name)}">\n      <skipped message="${xml(s.reason)}"/>\n    </testcase>`,
    )
  }
  lines.push('  </testsuite>', '</testsuites>', '')
  return lines.join('\n')
}

function xml(text: string): string {
  return (
    text
      // Characters XML 1.0 cannot hold at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  )
}
