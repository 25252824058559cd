#!/usr/bin/env node
/**
 * `npm run test:faults`: runs the fault and fuzz suite with jest, then prints one table of what
 * every file reported (requests, kills, inputs tried, 5xx, halted projectors, double and lost
 * effects) and exits non-zero if jest failed, a file reported nothing, or any bad count is above
 * zero. Extra arguments go to jest (e.g. a file name to run one part).
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const reportDir = mkdtempSync(path.join(os.tmpdir(), 'kobatela-faults-'));
const started = Date.now();
const jest = spawnSync(
  process.execPath,
  [
    require.resolve('jest/bin/jest', { paths: [root] }),
    '--config',
    path.join(__dirname, 'jest.config.js'),
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, KOBATELA_FAULTS_REPORT_DIR: reportDir } },
);

const COLUMNS = [
  ['requests', 'requests'],
  ['kills', 'kills'],
  ['inputs', 'inputs tried'],
  ['serverErrors', '5xx'],
  ['haltedProjectors', 'halted projectors'],
  ['doubleEffects', 'double effects'],
  ['lostEffects', 'lost effects'],
];
const BAD = ['serverErrors', 'haltedProjectors', 'doubleEffects', 'lostEffects'];

let rows = [];
try {
  rows = readdirSync(reportDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(reportDir, f), 'utf8')))
    .sort((a, b) => (a.suite < b.suite ? -1 : 1));
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
const total = { suite: 'total' };
for (const [key] of COLUMNS) total[key] = rows.reduce((n, r) => n + (Number(r[key]) || 0), 0);
const table = [...rows, total];
const widths = [
  Math.max(5, ...table.map((r) => r.suite.length)),
  ...COLUMNS.map(([k, h]) => Math.max(h.length, ...table.map((r) => String(r[k] ?? 0).length))),
];
const line = (cells) =>
  cells
    .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join('  ');
process.stdout.write(`\nfault and fuzz suite (${Math.round((Date.now() - started) / 1000)} s)\n`);
process.stdout.write(`${line(['suite', ...COLUMNS.map(([, h]) => h)])}\n`);
for (const r of table)
  process.stdout.write(`${line([r.suite, ...COLUMNS.map(([k]) => r[k] ?? 0)])}\n`);

const bad = BAD.filter((k) => total[k] > 0);
if (jest.status !== 0)
  process.stdout.write(`faults: jest failed (exit ${jest.status ?? jest.signal})\n`);
if (rows.length === 0) process.stdout.write('faults: no suite reported its counts\n');
if (bad.length) process.stdout.write(`faults: ${bad.map((k) => `${k}=${total[k]}`).join(', ')}\n`);
process.exit(jest.status === 0 && rows.length > 0 && bad.length === 0 ? 0 : 1);
