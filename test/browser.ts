import { accessSync, constants, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { describe, it } from 'vitest'

/** Where a browser was found, or why none was. */
export type ChromiumLookup = { path: string; source: string } | { path: undefined; why: string }

/** What to do about a missing browser, printed on the skip line and in CI's failure. */
export const HOW_TO_GET_CHROMIUM =
  'install one (`apt-get install chromium`) or point HOOKWRIGHT_CHROMIUM at a Chrome or Chromium binary'

const NAMES_ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** Chromium builds in playwright's own cache (`npx playwright install`), newest revision first. */
function inPlaywrightCache(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.PLAYWRIGHT_BROWSERS_PATH || join(env.HOME || homedir(), '.cache', 'ms-playwright')
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return undefined
  }
  const revision = (name: string) => Number(name.split('-').pop()) || 0
  const builds = entries
    .filter((name) => /^chromium(_headless_shell)?-\d+$/.test(name))
    .sort((a, b) => revision(b) - revision(a))
  for (const build of builds) {
    for (const file of [
      'chrome-linux64/chrome',
      'chrome-linux/chrome',
      'chrome-headless-shell-linux64/chrome-headless-shell',
      'chrome-linux/headless_shell',
    ]) {
      const candidate = join(dir, build, file)
      if (isExecutable(candidate)) return candidate
    }
  }
  return undefined
}

/**
 * Finds a Chromium where users keep one: `HOOKWRIGHT_CHROMIUM`, then `chromium`,
 * `chromium-browser`, `google-chrome` on PATH, then playwright's own browser cache.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const chosen = env.HOOKWRIGHT_CHROMIUM
  if (chosen) {
    return isExecutable(chosen)
      ? { path: chosen, source: 'HOOKWRIGHT_CHROMIUM' }
      : { path: undefined, why: `HOOKWRIGHT_CHROMIUM=${chosen} is not an executable file` }
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES_ON_PATH) {
      const candidate = join(dir, name)
      if (isExecutable(candidate)) return { path: candidate, source: `${name} on PATH` }
    }
  }
  const cached = inPlaywrightCache(env)
  if (cached) return { path: cached, source: "playwright's browser cache" }
  return {
    path: undefined,
    why: `no Chromium found (HOOKWRIGHT_CHROMIUM unset, none of ${NAMES_ON_PATH.join(', ')} on PATH, none in playwright's cache)`,
  }
}

/** Launches the found browser headless, with the flags a closed network needs. */
export function launchChromium(executablePath: string, extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      ...extraArgs,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/**
 * `describe` for tests that need a real browser. Without one they are skipped with one visible
 * line saying why and how to get one; under `CI=true` a missing browser fails the run instead.
 */
export function describeWithChromium(name: string, body: (executablePath: string) => void): void {
  const found = findChromium()
  if (found.path !== undefined) {
    const executablePath = found.path
    describe(name, () => body(executablePath))
    return
  }
  const message = `${name}: ${found.why}; ${HOW_TO_GET_CHROMIUM}`
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a browser under CI=true', () => {
        throw new Error(message)
      })
    })
    return
  }
  console.warn(`[hookwright] skipped (no browser): ${message}`)
  describe.skip(name, () => body(''))
}
