/**
 * The fault and fuzz suite (`npm run test:faults`, issue 12): hostile input, authorization,
 * crashes and database outages against the built service. Same compilation and PostgreSQL
 * setup as the main suite (one embedded server per worker); files end in `.faults.ts`, so
 * `npm test` never runs them. Each file writes its counts through `support/tally.ts`; `run.js`
 * prints the table and fails the run on any 5xx, halt, double or lost effect.
 */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/faults/**/*.faults.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Crash tests spawn API processes and PostgreSQL servers of their own: one file at a time
  // keeps the two cores for them.
  maxWorkers: 1,
  testTimeout: 600000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
