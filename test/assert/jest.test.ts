import { execFile } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

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
      ['waitFor and expectWebhook wait 80% of the test timeout by default', 'passed'],
    ])
  })

  it('fails the failing cases with the shared messages, and never prints the secret', () => {
    expect(results('failing-on-purpose.jest.cjs').map((a) => a.status)).toEqual([
      'failed',
      'failed',
      'failed',
    ])
    expect(run.code).toBe(1)
    expect(run.report).toMatchObject({ numPassedTests: 5, numFailedTests: 3 })
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

// A user who forgets `receiver.close()` under jest: `--detectOpenHandles` must name the line of
// their test that called createReceiver. Laid out as a real install (node_modules/hookwright,
// outside this repository's path, since jest skips node_modules frames when it picks the line).
describe('jest --detectOpenHandles with a receiver never closed', () => {
  const project = mkdtempSync(join(tmpdir(), 'hookwright-jest-'))
  afterAll(() => rmSync(project, { recursive: true, force: true }))

  it('points at the createReceiver call in the test', async () => {
    expect(existsSync(`${root}dist/index.cjs`), 'dist/ is missing: run `npx tsup` first').toBe(true)
    const pkg = join(project, 'node_modules', 'hookwright')
    mkdirSync(pkg, { recursive: true })
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true })
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'))
    for (const dep of ['undici', 'zod']) {
      symlinkSync(join(root, 'node_modules', dep), join(project, 'node_modules', dep), 'dir')
    }
    writeFileSync(
      join(project, 'jest.config.cjs'),
      "module.exports = { testEnvironment: 'node', transform: {}, testMatch: ['<rootDir>/*.jest.cjs'] }\n",
    )
    writeFileSync(
      join(project, 'forgot-close.jest.cjs'),
      [
        "const { createReceiver } = require('hookwright')",
        '',
        "test('forgets receiver.close()', async () => {",
        '  const receiver = await createReceiver()',
        '  expect(receiver.url).toMatch(/^http:/)',
        '})',
        '',
      ].join('\n'),
    )
    const output = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        // --forceExit: the open handle is the point, and it would keep jest running.
        [join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--detectOpenHandles', '--forceExit'],
        { cwd: project, env: { ...process.env, FORCE_COLOR: '0' }, timeout: 100_000 },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      )
    })
    expect(output).toContain('open handle')
    expect(output).toMatch(/● {2}TCPSERVERWRAP/)
    // The code frame jest shows is the user's line, and its first user frame is that line.
    expect(output).toMatch(/> 4 \| {3}const receiver = await createReceiver\(\)/)
    expect(output).toMatch(/at Object\.<anonymous> \(forgot-close\.jest\.cjs:4:\d+\)/)
  }, 120_000)
})
