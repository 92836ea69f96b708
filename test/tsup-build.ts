import { build } from 'tsup'

/**
 * Bundles `entry` into `outDir` the way tsup.config.ts builds the package (splitting, shims,
 * dependencies left outside), without declarations, for tests that load built code.
 */
export async function buildLikePackage(
  entry: Record<string, string>,
  outDir: string,
  format: Array<'esm' | 'cjs'>,
): Promise<void> {
  await build({
    entry,
    outDir,
    format,
    shims: true,
    splitting: true,
    treeshake: true,
    target: 'node20',
    dts: false,
    silent: true,
    config: false,
  })
}
