import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

interface JestAssertion {
  title: string
  status: 'passed' | 'failed' | 'pending'
  failureMessages: string[]
}
interface JestReport {
  numPassedTests: number
  numFailedTests: number
  testResults: Array<{ name: string; assertionResults: JestAssertion[] }>
}

/** Runs the jest suite in test/jest/ as a user's project would, and returns its JSON report. */
function runJest(): Promise<{ code: number | null; report: JestReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['node_modules/jest/bin/jest.js', '--config', 'test/jest/jest.config.cjs', '--json', '--ci'],
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          resolve({
            code: error ? ((error as { code?: number }).code ?? 1) : 0,
            report: JSON.parse(stdout) as JestReport,
            stderr,
          })
        } catch (parseError) {
          reject(new Error(`jest printed no JSON report:\n${stderr}`, { cause: parseError }))
        }
      },
    )
  })
}

describe('hookwright/jest in a real jest run (CommonJS, built package)', () => {
  let run: Awaited<ReturnType<typeof runJest>>
  const results = (file: string) =>
    run.report.testResults.find((r) => r.name.endsWith(file))?.assertionResults ?? []
  const failure = (title: string) =>
    (results('failing-on-purpose.jest.cjs').find((a) => a.title === title)?.failureMessages ?? [])
      .join('\n')
      .replace(/127\.0\.0\.1:\d+\/h\/[\w-]+/g, '<ep>')
      .replace(/\/h\/[\w-]+/g, '<path>')

  beforeAll(async () => {
    // The suite requires dist/*.cjs, as a user's project would; `npm test` builds before testing.
    expect(existsSync(`${root}dist/jest.cjs`), 'dist/ is missing: run `npx tsup` first').toBe(true)
    run = await runJest()
  }, 120_000)

  it('passes the passing suite, requiring hookwright and hookwright/jest', () => {
    expect(results('passing.jest.cjs').map((a) => [a.title, a.status])).toEqual([
      ['matchers pass on what arrived, with .not', 'passed'],
      ['a failing matcher throws the shared message', 'passed'],
      ['expectWebhook waits in real time under jest fake timers', 'passed'],
      ['expectWebhook rejects with HOOKWRIGHT_ASSERTION', 'passed'],
    ])
  })

  it('fails the failing cases with the shared messages, and never prints the secret', () => {
    expect(results('failing-on-purpose.jest.cjs').map((a) => a.status)).toEqual([
      'failed',
      'failed',
      'failed',
    ])
    expect(run.code).toBe(1)
    expect(run.report).toMatchObject({ numPassedTests: 4, numFailedTests: 3 })
    expect(failure('toHaveReceivedWebhook fails')).toContain(
      [
        'expect(endpoint http://<ep>).toHaveReceivedWebhook(): expected at least 1 delivery to match',
        '  with JSON matching {"amount":500}',
        '  with a valid stripe signature',
        'but 0 matched.',
        'Arrived at endpoint http://<ep> (2):',
        '  ✗ #1 POST <path> → 200 signature ok, 36 B: {"type":"invoice.paid","amount":400}',
        '      amount: expected 500, got 400',
        '  ✗ #2 POST <path> → 401 bad_signature, 36 B: {"type":"invoice.paid","amount":500}',
        '      signature (stripe): bad_signature: No v1 signature matches the body and secret.',
      ].join('\n'),
    )
    expect(failure('.not.toHaveReceivedWebhookTimes fails')).toContain(
      '.not.toHaveReceivedWebhookTimes(): expected not exactly 2 deliveries to match\nbut 2 matched.',
    )
    expect(failure('toHaveValidSignature fails')).toContain(
      'expect(delivery).toHaveValidSignature(): expected a valid stripe signature\nbut: bad_signature: No v1 signature matches the body and secret.',
    )
    const everything = JSON.stringify(run.report) + run.stderr
    expect(everything).not.toMatch(/whsec_jest_failing_secret|whsec_jest_suite_secret|whsec_bad/)
  })
})
