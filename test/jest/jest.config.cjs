/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
// A real jest run against the BUILT package (build it first: `npx tsup`), CommonJS, the way most
// jest projects run. test/assert/jest.test.ts runs it and checks the outcome of every test:
// failing-on-purpose.jest.cjs must fail, with the message it asserts.
const path = require('node:path')

const dist = path.join(__dirname, '..', '..', 'dist')

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.jest.cjs'],
  transform: {},
  moduleNameMapper: {
    '^hookwright$': path.join(dist, 'index.cjs'),
    '^hookwright/(vitest|jest|msw)$': path.join(dist, '$1.cjs'),
  },
}
