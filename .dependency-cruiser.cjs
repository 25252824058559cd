/**
 * Layering rules (STYLE.md §11), checked on every `npm test`:
 * libs/domain → libs/kernel only (pure: no Nest, Kysely, pg, clock, crypto, Node built-ins);
 * projections → event types and Kysely only; migrations → Kysely only; nothing imports apps/.
 */
const notSpec = '\\.spec\\.ts$';
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports only libs/kernel (and itself)',
      severity: 'error',
      from: { path: '^libs/domain/', pathNot: notSpec },
      to: { pathNot: ['^libs/domain/', '^libs/kernel/'] },
    },
    {
      name: 'kernel-is-the-bottom',
      severity: 'error',
      from: { path: '^libs/kernel/', pathNot: notSpec },
      to: { path: ['^libs/(?!kernel/)', '^apps/', '^projections/'] },
    },
    {
      name: 'kernel-no-frameworks',
      comment: 'specs may use test libraries (fast-check)',
      severity: 'error',
      from: { path: '^libs/kernel/', pathNot: notSpec },
      to: {
        dependencyTypes: ['npm', 'npm-dev'],
        pathNot: ['node_modules/big\\.js/', 'node_modules/@types/big\\.js/'],
      },
    },
    {
      name: 'projections-import-event-types-only',
      comment:
        'a projector reads events (domain types, the store port as types) and writes with Kysely',
      severity: 'error',
      from: { path: '^projections/', pathNot: notSpec },
      to: {
        pathNot: ['^projections/', '^libs/domain/', '^libs/kernel/', 'node_modules/kysely/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'projections-use-the-store-port-as-types-only',
      severity: 'error',
      from: { path: '^projections/', pathNot: notSpec },
      to: {
        path: '^libs/(?!domain/|kernel/)',
        dependencyTypes: ['type-only'],
        pathNot: '^libs/event-store/',
      },
    },
    {
      name: 'migrations-never-import-app-code',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { pathNot: ['^migrations/', 'node_modules/kysely/'] },
    },
    {
      name: 'nothing-imports-apps',
      severity: 'error',
      from: { pathNot: '^apps/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^test/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
