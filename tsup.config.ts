import { defineConfig } from 'tsup'

// One build for the library (ESM + CJS + declarations) and one for the CLI (ESM only, with a shebang).
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
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
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
])
