/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The real servers take a while to boot on two cores.
  testTimeout: 90_000,
  watchman: false,
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
};
