/** Jest: TypeScript through @swc/jest (no type checking here; `tsc --noEmit` runs once in `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 60000,
  // One folder per run for the synthesized assemblies test files share (test/helpers/shared-assembly.ts).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Jest's default on 2 CPUs is one worker (files run one at a time); two halve the wall time (docs/performance.md).
  maxWorkers: '100%',
  reporters: ['default', '<rootDir>/test/reporters/summary-line.cjs'],
};
