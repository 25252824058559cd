/**
 * One embedded PostgreSQL per worker (started in global setup), a database per test file.
 * TypeScript is compiled by ts-jest in transpile-only mode (type checking is `npm run build`'s
 * job). We use Jest 29 + ts-jest rather than Jest 30 / @swc/jest: those depend on packages with
 * per-platform native builds that this registry does not serve for every platform, which leaves
 * a lockfile that `npm ci` refuses.
 */
const tsJest = [
  'ts-jest',
  {
    tsconfig: {
      isolatedModules: true,
      target: 'ES2022',
      module: 'commonjs',
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      allowJs: true,
      sourceMap: true,
    },
  },
];

const { compilerOptions } = require('./tsconfig.base.json');

/** The `@kob/*` path aliases of tsconfig.base.json, for jest's resolver. */
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('*', '(.*)')}$`,
    `<rootDir>/${target.replace('*', '$1')}`,
  ]),
);

module.exports = {
  moduleNameMapper,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,projections,test}/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // content-disposition@3 (via @fastify/static, for /docs) ships ESM only: compile it to CJS.
  transform: { '^.+\\.ts$': tsJest, '/node_modules/content-disposition/.+\\.js$': tsJest },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  // A worker that has run a hundred files held 1.5 GB (each file loads the app's modules anew,
  // and not all of it is given back), and a process that size took 600 ms to end: past the 500
  // ms jest waits, so every run ended with "A worker process has failed to exit gracefully" and
  // a SIGTERM. A worker whose heap is above this after a file is replaced by a fresh one (about
  // ten times a run); the last two then end in about 250 ms, and the run is no slower.
  workerIdleMemoryLimit: '400MB',
  testTimeout: 120000,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
