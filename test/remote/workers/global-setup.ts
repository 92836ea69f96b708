import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import { createReceiver } from '../../../src/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    hookwrightUrl: string
    hookwrightToken: string
  }
}

// The recipe of docs/ci.md: one receiver for the whole run, its URL and token handed to every
// worker. The report file is only for ../workers.test.ts, which checks what the workers did.
export default async function setup(project: TestProject) {
  const token = randomBytes(16).toString('hex')
  const receiver = await createReceiver({ control: { token } })
  project.provide('hookwrightUrl', receiver.url)
  project.provide('hookwrightToken', token)
  return async () => {
    const report = process.env.HOOKWRIGHT_WORKERS_REPORT
    if (report) {
      const deliveries = receiver.deliveries.map((d) => ({
        endpoint: d.endpoint,
        status: d.response.status,
        verified: d.verification?.ok ?? null,
        body: d.json(),
      }))
      writeFileSync(report, JSON.stringify({ setupPid: process.pid, deliveries }))
    }
    await receiver.close()
  }
}
