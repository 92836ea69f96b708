import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const projects = fileURLToPath(new URL('./types/fixtures-project/', import.meta.url))
const dist = fileURLToPath(new URL('../../dist/', import.meta.url))

// The three projects share vitest's, jest's and node's declarations: parse each file once.
const parsed = new Map<string, ts.SourceFile | undefined>()
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options)
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const key = `${fileName}|${JSON.stringify(languageVersion)}`
    if (!parsed.has(key)) parsed.set(key, read(fileName, languageVersion, ...rest))
    return parsed.get(key)
  }
  return host
}

/**
 * Type-checks a fixture project the way a user's editor would: `hookwright`, `hookwright/vitest`
 * and `hookwright/jest` resolve through the package's exports map to the built declarations.
 * Returns the diagnostics of each fixture file as `TS<code> line: message`.
 */
function typecheck(project: string): Record<string, string[]> {
  const configPath = `${projects}${project}/tsconfig.json`
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!config) throw new Error(`cannot read ${configPath}`)
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    host: cachingHost(config.options),
  })
  const byFile: Record<string, string[]> = {}
  for (const file of config.fileNames) byFile[file.slice(file.lastIndexOf('/') + 1)] = []
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file?.fileName ?? '(global)'
    const key = name.startsWith(`${projects}${project}/`)
      ? name.slice(name.lastIndexOf('/') + 1)
      : name
    const line =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0
    ;(byFile[key] ??= []).push(
      `TS${d.code} ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    )
  }
  return byFile
}

const MISTAKES = [
  expect.stringMatching(
    /^TS2561 \d+: .*'jsn' does not exist in type 'WebhookExpectation'\. Did you mean to write 'json'\?/,
  ),
  expect.stringMatching(
    /^TS2551 \d+: Property 'toHaveRecievedWebhook' does not exist .* Did you mean 'toHaveReceivedWebhook'\?/,
  ),
  expect.stringMatching(
    /^TS2345 \d+: Argument of type 'string' is not assignable to parameter of type 'number'/,
  ),
]

describe('matcher declarations in a user project (built package)', () => {
  it('are built', () => {
    expect(existsSync(`${dist}vitest.d.ts`), 'dist/ is missing: run `npx tsup` first').toBe(true)
  })

  it.each([
    ['vitest', 'vitest (ESM, expect from vitest)', 'good.ts', 'bad.ts'],
    ['jest-globals', 'jest (ESM, expect from @jest/globals)', 'good.ts', 'bad.ts'],
    ['jest-types', 'jest (CommonJS, global expect from @types/jest)', 'good.cts', 'bad.cts'],
  ])(
    '%s: %s — correct use compiles, mistakes do not',
    (project, _runner, good, bad) => {
      const diagnostics = typecheck(project)
      expect(diagnostics).toEqual({ [good]: [], [bad]: MISTAKES })
    },
    120_000,
  )
})

// `module: commonjs` (moduleResolution node10) reads no exports map: the subpaths resolve only
// through typesVersions. The package is found as an installed one, through node_modules.
describe('declarations under module: commonjs (moduleResolution node10)', () => {
  const modules = `${projects}node10/node_modules`
  afterAll(() => rmSync(modules, { recursive: true, force: true }))

  it('resolve hookwright, /jest, /msw, /vitest and /schemas; mistakes are still caught', () => {
    rmSync(modules, { recursive: true, force: true })
    mkdirSync(modules, { recursive: true })
    symlinkSync(fileURLToPath(new URL('../../', import.meta.url)), `${modules}/hookwright`, 'dir')
    expect(typecheck('node10')).toEqual({ 'good.ts': [], 'bad.ts': MISTAKES })
  }, 120_000)
})
