import { fileURLToPath } from 'node:url'
import { build } from 'tsup'
import { lazySchemas } from '../tsup.config.js'

const schemasEntry = fileURLToPath(new URL('../src/schemas.ts', import.meta.url))

/**
 * Bundles `entry` into `outDir` the way tsup.config.ts builds the package (splitting, shims,
 * dependencies left outside, the fixture schemas loaded lazily from a `schemas` entry, which is
 * added), without declarations, for tests that load built code.
 */
export async function buildLikePackage(
  entry: Record<string, string>,
  outDir: string,
  format: Array<'esm' | 'cjs'>,
): Promise<void> {
  await build({
    entry: { schemas: schemasEntry, ...entry },
    outDir,
    format,
    shims: true,
    splitting: true,
    treeshake: true,
    target: 'node20',
    dts: false,
    silent: true,
    config: false,
    esbuildPlugins: [lazySchemas],
  })
}
