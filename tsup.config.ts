import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { defineConfig } from 'tsup'

/**
 * Swaps src/fixtures/schemas-loader.ts (which imports the zod schemas, for the source that tests
 * and tsc read) for schemas-loader.lazy.ts (which loads dist/schemas on first use), so that
 * `import 'hookwright'` loads no zod. Every build that bundles src/ uses it, with a `schemas`
 * entry beside `index`.
 */
export const lazySchemas: Plugin = {
  name: 'hookwright-lazy-schemas',
  setup(build) {
    const lazy = fileURLToPath(new URL('src/fixtures/schemas-loader.lazy.ts', import.meta.url))
    build.onResolve({ filter: /[/\\]schemas-loader\.js$/ }, () => ({ path: lazy }))
  },
}

// One build for the library (ESM + CJS + declarations) and one for the CLI (ESM only, with a shebang).
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      schemas: 'src/schemas.ts',
      vitest: 'src/vitest.ts',
      jest: 'src/jest.ts',
      msw: 'src/msw.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: 'node20',
    splitting: true,
    treeshake: true,
    esbuildPlugins: [lazySchemas],
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
])
