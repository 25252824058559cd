/**
 * Layering rules (STYLE.md §11, issue 13), checked on every `npm test` over apps, libs,
 * projections, migrations, bench and test. Each rule has a test that feeds it a violating file
 * (test/architecture/dependency-rules.test.ts).
 */
const notSpec = '\\.spec\\.ts$';

/**
 * Which libraries (and projections, migrations) each library may import: the allowlist. Anything
 * else between libraries is a violation; cycles are forbidden separately.
 * kernel ← domain ← event-store ← alerts ← platform; the ports with adapters beside them.
 */
const LIBRARY_ALLOWLIST = {
  kernel: [],
  domain: ['kernel'],
  'event-store': ['kernel'],
  config: ['kernel'],
  auth: ['kernel'],
  psp: ['kernel'],
  pdf: ['kernel'],
  'ai-advisor': ['kernel'],
  ocr: ['kernel', 'pdf'],
  'proof-files': ['kernel', 'domain', 'pdf'],
  postgres: ['kernel', 'migrations'],
  alerts: ['kernel', 'domain', 'event-store'],
  platform: [
    'kernel',
    'domain',
    'event-store',
    'alerts',
    'config',
    'postgres',
    'psp',
    'projections',
  ],
};

/** a library's or top folder's path pattern: `libs/x/` or `projections/`, `migrations/` */
const place = (name) =>
  name === 'projections' || name === 'migrations' ? `^${name}/` : `^libs/${name}/`;

const libraryRules = Object.entries(LIBRARY_ALLOWLIST).map(([lib, allowed]) => ({
  name: 'libraries-follow-the-allowlist',
  comment: `libs/${lib} may import only ${allowed.join(', ') || 'nothing else of ours'}`,
  from: { path: `^libs/${lib}/`, pathNot: notSpec },
  to: {
    path: '^(libs|projections|migrations|apps|bench|test)/',
    pathNot: [place(lib), ...allowed.map(place)],
  },
}));

/** Node built-ins that do I/O (files, network, processes, threads) */
const NODE_IO =
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline|repl|process|os|v8|vm|inspector)$';

/** Every rule is an error: a warning would let a violation pass `npm test`. */
const asError = (rule) => ({ severity: 'error', ...rule });

module.exports = {
  forbidden: [
    ...libraryRules,
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports only libs/kernel (and itself)',
      from: { path: '^libs/domain/', pathNot: [notSpec, '^libs/domain/src/testing/'] },
      to: { pathNot: ['^libs/domain/', '^libs/kernel/'] },
    },
    {
      name: 'kernel-no-frameworks',
      comment: 'specs may use test libraries (fast-check)',
      from: { path: '^libs/kernel/', pathNot: notSpec },
      to: {
        dependencyTypes: ['npm', 'npm-dev'],
        pathNot: ['node_modules/big\\.js/', 'node_modules/@types/big\\.js/'],
      },
    },
    {
      name: 'kernel-no-node-io',
      comment: 'libs/kernel computes: no files, network, processes or threads (crypto is fine)',
      from: { path: '^libs/kernel/' },
      to: { dependencyTypes: ['core'], path: NODE_IO },
    },
    {
      name: 'controllers-only-dispatch',
      comment:
        'a controller validates and dispatches through the CommandBus/QueryBus: no Kysely, no platform, no read models',
      from: { path: '^apps/api/src/.+\\.controller\\.ts$' },
      to: { path: ['node_modules/kysely/', '^libs/platform/', '^libs/postgres/', '^projections/'] },
    },
    {
      name: 'handlers-know-no-http',
      comment: 'a command or query handler knows nothing of Fastify (http/committed.ts is plain)',
      from: { path: '^apps/api/src/.+\\.handler\\.ts$' },
      to: { path: ['node_modules/fastify/', 'node_modules/@fastify/'] },
    },
    {
      name: 'only-through-the-index',
      comment:
        'outside a library, import it through its index (@kob/x) or its testing index, never a file past it',
      from: { path: '^(libs/[^/]+/|(?!libs/)[^/]+/)' },
      to: {
        path: '^libs/[^/]+/src/',
        pathNot: ['^$1', '^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/testing/index\\.ts$'],
      },
    },
    {
      name: 'production-code-imports-no-tests',
      comment: 'test support, specs and testing doubles stay out of what ships',
      from: {
        path: '^(apps|libs|projections|migrations)/',
        pathNot: [notSpec, '/testing/'],
      },
      to: { path: ['^test/', '\\.spec\\.ts$', '\\.test\\.ts$', '/testing/'] },
    },
    {
      name: 'projections-import-event-types-only',
      comment:
        'a projector reads events (domain types, the store port as types) and writes with Kysely',
      from: { path: '^projections/', pathNot: notSpec },
      to: {
        pathNot: ['^projections/', '^libs/domain/', '^libs/kernel/', 'node_modules/kysely/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'projections-use-the-store-port-as-types-only',
      from: { path: '^projections/', pathNot: notSpec },
      to: {
        path: '^libs/(?!domain/|kernel/)',
        dependencyTypes: ['type-only'],
        pathNot: '^libs/event-store/',
      },
    },
    {
      name: 'migrations-never-import-app-code',
      from: { path: '^migrations/' },
      to: { pathNot: ['^migrations/', 'node_modules/kysely/'] },
    },
    {
      name: 'nothing-imports-apps',
      comment: 'test/ drives the apps (it builds them) and bench/ measures them',
      from: { pathNot: '^(apps|test|bench)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-circular',
      from: {},
      to: { circular: true },
    },
  ].map(asError),
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^bench/results/|/fixtures/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
