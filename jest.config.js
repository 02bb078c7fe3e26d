/** Two projects: unit tests need nothing external; integration tests need the real Kafka + registry stack,
 * which the integration global setup finds or starts (never skips). */
const transform = {'^.+\\.ts$': ['@swc/jest', {jsc: {target: 'es2022', parser: {syntax: 'typescript'}}}]};

module.exports = {
  // jest 30 reads testTimeout only at the top level; unit tests finish far below it, integration tests need it.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/setup/global-teardown.ts',
    },
  ],
};
