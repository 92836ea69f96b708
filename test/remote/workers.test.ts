import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runVitest } from '../vitest-child.js'

interface Report {
  setupPid: number
  deliveries: Array<{
    endpoint: string | null
    status: number
    verified: boolean | null
    body: { pid: number; file: string }
  }>
}

// The globalSetup recipe of docs/ci.md, run for real: a vitest project in test/remote/workers
// whose test files share one receiver from two worker processes.
it(
  'shares one receiver between test files in several vitest workers',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookwright-workers-'))
    const reportFile = join(dir, 'report.json')
    const { code, output } = await runVitest(
      ['--config', 'test/remote/workers/vitest.config.ts', '--pool', 'forks', '--maxWorkers', '2'],
      { HOOKWRIGHT_WORKERS_REPORT: reportFile },
    )
    try {
      expect({ code, output }).toMatchObject({ code: 0 })
      expect(output).toMatch(/Test Files\s+.*2 passed/)
      expect(output).toMatch(/Tests\s+.*4 passed/)

      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report
      const pids = new Set(report.deliveries.map((d) => d.body.pid))
      expect(pids.size).toBeGreaterThanOrEqual(2)
      expect(pids.has(report.setupPid)).toBe(false)
      expect(pids.has(process.pid)).toBe(false)
      // Each file ran in its own process, with its own endpoints.
      for (const file of ['orders', 'billing']) {
        const mine = report.deliveries.filter((d) => d.body.file === file)
        expect(mine).toHaveLength(3)
        expect(new Set(mine.map((d) => d.body.pid)).size).toBe(1)
        expect(new Set(mine.map((d) => d.endpoint)).size).toBe(2)
        expect(mine.filter((d) => d.verified === true)).toHaveLength(1)
      }
      expect(new Set(report.deliveries.map((d) => d.endpoint)).size).toBe(4)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
