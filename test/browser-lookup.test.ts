import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findChromium, HOW_TO_GET_CHROMIUM } from './browser.js'
import { runVitest } from './vitest-child.js'

let dir: string
const fakeBrowser = async (file: string) => {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, '#!/bin/sh\nexit 0\n')
  await chmod(file, 0o755)
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hookwright-browser-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('findChromium looks where users keep a browser', () => {
  it('takes HOOKWRIGHT_CHROMIUM first, and says so when it points at nothing', async () => {
    const chosen = await fakeBrowser(join(dir, 'env', 'my-chrome'))
    const onPath = await fakeBrowser(join(dir, 'bin', 'chromium'))
    expect(findChromium({ HOOKWRIGHT_CHROMIUM: chosen, PATH: dirname(onPath) })).toEqual({
      path: chosen,
      source: 'HOOKWRIGHT_CHROMIUM',
    })
    const missing = findChromium({ HOOKWRIGHT_CHROMIUM: join(dir, 'nope'), PATH: dirname(onPath) })
    expect(missing.path).toBeUndefined()
    expect(missing).toMatchObject({ why: expect.stringContaining('is not an executable file') })
  })

  it('then chromium, chromium-browser and google-chrome on PATH, in that order', async () => {
    const a = join(dir, 'path-a')
    const b = join(dir, 'path-b')
    await fakeBrowser(join(a, 'google-chrome'))
    await fakeBrowser(join(b, 'chromium-browser'))
    // PATH order wins over name order; within one folder, chromium comes before google-chrome.
    expect(findChromium({ PATH: [b, a].join(':') }).path).toBe(join(b, 'chromium-browser'))
    await fakeBrowser(join(a, 'chromium'))
    expect(findChromium({ PATH: a }).path).toBe(join(a, 'chromium'))
    // A file that is not executable is no browser.
    await writeFile(join(dir, 'path-c-chromium'), '')
    const c = join(dir, 'path-c')
    await mkdir(c, { recursive: true })
    await writeFile(join(c, 'chromium'), '')
    expect(findChromium({ PATH: c, HOME: join(dir, 'no-home') }).path).toBeUndefined()
  })

  it("then playwright's browser cache, newest revision first", async () => {
    const cache = join(dir, 'home', '.cache', 'ms-playwright')
    await fakeBrowser(join(cache, 'chromium-1100', 'chrome-linux', 'chrome'))
    const newest = await fakeBrowser(join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'))
    expect(findChromium({ PATH: '', HOME: join(dir, 'home') })).toEqual({
      path: newest,
      source: "playwright's browser cache",
    })
    const custom = join(dir, 'pw')
    const shell = await fakeBrowser(
      join(
        custom,
        'chromium_headless_shell-7',
        'chrome-headless-shell-linux64',
        'chrome-headless-shell',
      ),
    )
    expect(findChromium({ PATH: '', PLAYWRIGHT_BROWSERS_PATH: custom }).path).toBe(shell)
  })

  it('says why when there is none', () => {
    const none = findChromium({ PATH: join(dir, 'empty'), HOME: join(dir, 'empty') })
    expect(none).toEqual({
      path: undefined,
      why: expect.stringMatching(/^no Chromium found .*chromium, chromium-browser, google-chrome/),
    })
  })
})

// What a fresh machine sees: the browser test file run with no browser anywhere to be found.
describe('the browser tests on a machine without a browser', () => {
  const noBrowser = () => ({
    // An empty folder: node is started by its full path, and /usr/bin may well hold a chromium.
    PATH: join(dir, 'empty-path'),
    HOME: join(dir, 'empty-home'),
    HOOKWRIGHT_CHROMIUM: '',
    PLAYWRIGHT_BROWSERS_PATH: '',
  })

  it('are skipped with one line saying why and how, and the run passes', async () => {
    const { code, output } = await runVitest(['test/inspector/browser.test.ts'], {
      ...noBrowser(),
      CI: '',
    })
    expect(output).toContain(
      `[hookwright] skipped (no browser): the inspector page in Chromium: no Chromium found`,
    )
    expect(output).toContain(HOW_TO_GET_CHROMIUM)
    expect(output).toMatch(/Tests\s+\d+ skipped/)
    expect(code).toBe(0)
  }, 120_000)

  it('fail the run under CI=true, with the same reason', async () => {
    const { code, output } = await runVitest(['test/inspector/browser.test.ts'], {
      ...noBrowser(),
      CI: 'true',
    })
    expect(output).toContain('needs a browser under CI=true')
    expect(output).toContain(HOW_TO_GET_CHROMIUM)
    expect(code).toBe(1)
  }, 120_000)
})
