/**
 * `npm run test:eventstoredb`: the HTTP, CLI and crash suites again with the events on
 * EventStoreDB (TEST_EVENT_STORE=eventstoredb: each test database gets an EventStoreDB test
 * double, spoken to through the real client; test/support/test-app.ts). The unit specs and the
 * store contract already run on both stores in `npm test`. Left out, each for a reason of its
 * subject, not of a failure:
 * - test/start, test/architecture, test/deploy, test/ocr, test/ai-advisor: processes and checks
 *   that start no test app (or start their own, on PostgreSQL; test/start/service-eventstoredb
 *   runs the API and the worker on EventStoreDB as processes);
 * - test/http/database-outage: PostgreSQL stopped under the API is the event store stopped only
 *   when the events are in PostgreSQL;
 * - test/http/event-horizon: the `$all` horizon of PostgreSQL's open transactions;
 * - test/crash/payment-recovery-failover: tells the writer of each event by PostgreSQL's
 *   `event_writers` trigger table;
 * - test/performance/statements-per-deposit: counts the SQL statements of the PostgreSQL store.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '<rootDir>/test/(start|architecture|deploy|ocr|ai-advisor)/',
    '<rootDir>/test/http/database-outage.test.ts',
    '<rootDir>/test/http/event-horizon.test.ts',
    '<rootDir>/test/crash/payment-recovery-failover.test.ts',
    '<rootDir>/test/performance/statements-per-deposit.test.ts',
  ],
};
