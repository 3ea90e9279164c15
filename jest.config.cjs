/** Jest: TypeScript through @swc/jest (no type checking here; `tsc --noEmit` runs once in `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/reporters/summary-line.cjs'],
};
