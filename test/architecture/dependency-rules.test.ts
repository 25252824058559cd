/**
 * Each dependency rule of .dependency-cruiser.cjs is fed a file that breaks it (and the good
 * files beside them break none): a rule that stops matching, or a new rule without a case here,
 * fails this test. The fixture tree is written to a temporary folder shaped like the project
 * (its package.json, tsconfig paths and node_modules), and the real depcruise runs over it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** path → content; the good files first, then one violating file per rule */
const GOOD: Record<string, string> = {
  'libs/kernel/src/index.ts': "export * from './money';\n",
  'libs/kernel/src/money.ts':
    "import { createHash } from 'node:crypto';\nexport const money = createHash;\n",
  'libs/domain/src/index.ts': "import { money } from '@kob/kernel';\nexport const d = money;\n",
  'libs/event-store/src/index.ts':
    "import { money } from '@kob/kernel';\nexport const e = money;\n",
  'libs/platform/src/index.ts':
    "import { e } from '@kob/event-store';\nimport { d } from '@kob/domain';\nexport const p = [e, d];\n",
  'libs/psp/src/index.ts': 'export const psp = 1;\n',
  'projections/index.ts':
    "import type { e } from '@kob/event-store';\nimport { d } from '@kob/domain';\nimport type { Kysely } from 'kysely';\nexport type T = [typeof e, typeof d, Kysely<object>];\n",
  'migrations/001_init.ts':
    "import type { Kysely } from 'kysely';\nexport type M = Kysely<object>;\n",
  'apps/api/src/things/good/good.controller.ts':
    "import { CommandBus } from '@nestjs/cqrs';\nimport { GoodCommand } from './good.command';\nexport const c = [CommandBus, GoodCommand];\n",
  'apps/api/src/things/good/good.command.ts': 'export class GoodCommand {}\n',
  'apps/api/src/things/good/good.handler.ts':
    "import { p } from '@kob/platform';\nimport { GoodCommand } from './good.command';\nexport const h = [p, GoodCommand];\n",
  'test/support/helper.ts': "import { p } from '@kob/platform';\nexport const helper = p;\n",
};

const VIOLATIONS: { rule: string; file: string; content: string }[] = [
  {
    rule: 'libraries-follow-the-allowlist',
    file: 'libs/event-store/src/climbs.ts',
    content: "import { p } from '@kob/platform';\nexport const x = p;\n",
  },
  {
    rule: 'domain-is-pure',
    file: 'libs/domain/src/impure.ts',
    content: "import { Kysely } from 'kysely';\nexport const x = Kysely;\n",
  },
  {
    rule: 'kernel-no-frameworks',
    file: 'libs/kernel/src/framework.ts',
    content: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
  },
  {
    rule: 'kernel-no-node-io',
    file: 'libs/kernel/src/io.ts',
    content: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
  },
  {
    rule: 'controllers-only-dispatch',
    file: 'apps/api/src/things/bad/bad.controller.ts',
    content: "import { p } from '@kob/platform';\nexport const x = p;\n",
  },
  {
    rule: 'controllers-only-dispatch',
    file: 'apps/api/src/things/queries/queries.controller.ts',
    content: "import { sql } from 'kysely';\nexport const x = sql;\n",
  },
  {
    rule: 'handlers-know-no-http',
    file: 'apps/api/src/things/bad/bad.handler.ts',
    content: "import type { FastifyReply } from 'fastify';\nexport type X = FastifyReply;\n",
  },
  {
    rule: 'only-through-the-index',
    file: 'apps/api/src/things/deep.ts',
    content:
      "import { money } from '../../../../libs/kernel/src/money';\nexport const x = money;\n",
  },
  {
    rule: 'production-code-imports-no-tests',
    file: 'apps/api/src/things/uses-test.ts',
    content:
      "import { helper } from '../../../../test/support/helper';\nexport const x = helper;\n",
  },
  {
    rule: 'projections-import-event-types-only',
    file: 'projections/bad/bad.projection.ts',
    content: "import { psp } from '@kob/psp';\nexport const x = psp;\n",
  },
  {
    rule: 'projections-use-the-store-port-as-types-only',
    file: 'projections/bad/types.ts',
    content: "import type { p } from '@kob/platform';\nexport type X = typeof p;\n",
  },
  {
    rule: 'migrations-never-import-app-code',
    file: 'migrations/002_bad.ts',
    content: "import { money } from '@kob/kernel';\nexport const x = money;\n",
  },
  {
    rule: 'nothing-imports-apps',
    file: 'libs/platform/src/app-user.ts',
    content:
      "import { h } from '../../../apps/api/src/things/good/good.handler';\nexport const x = h;\n",
  },
  {
    rule: 'apps-do-not-import-each-other',
    file: 'apps/cli/src/main.ts',
    content: "import { h } from '../../api/src/things/good/good.handler';\nexport const x = h;\n",
  },
  {
    rule: 'no-circular',
    file: 'libs/psp/src/a.ts',
    content: "import { b } from './b';\nexport const a = () => b;\n",
  },
];
const CYCLE_PARTNER = {
  'libs/psp/src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let violations: Violation[] = [];
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kob-depcruise-'));
  const files = {
    ...GOOD,
    ...CYCLE_PARTNER,
    ...Object.fromEntries(VIOLATIONS.map((v) => [v.file, v.content])),
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.join(dir, path.dirname(file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await copyFile(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const paths = Object.fromEntries(
    ['kernel', 'domain', 'event-store', 'platform', 'psp'].map((l) => [
      `@kob/${l}`,
      [`libs/${l}/src`],
    ]),
  );
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { baseUrl: '.', paths, module: 'commonjs', target: 'ES2022', strict: true },
    }),
  );
  const cli = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      cli,
      '--config',
      CONFIG,
      '--output-type',
      'json',
      'apps',
      'libs',
      'projections',
      'migrations',
      'test',
    ],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  violations = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dependency rules', () => {
  it.each(VIOLATIONS.map((v) => [v.rule, v.file]))('%s catches %s', (rule, file) => {
    expect(violations.filter((v) => v.from === file).map((v) => v.rule.name)).toContain(rule);
  });

  it('finds nothing wrong in the good files', () => {
    const good = new Set([...Object.keys(GOOD), 'libs/psp/src/b.ts']);
    const wrong = violations.filter(
      (v) => good.has(v.from) && !(v.rule.name === 'no-circular' && v.from === 'libs/psp/src/b.ts'),
    );
    expect(wrong).toEqual([]);
  });

  it('has a violating case for every rule in the configuration', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(CONFIG) as { forbidden: { name: string }[] };
    const tested = new Set(VIOLATIONS.map((v) => v.rule));
    expect([...new Set(config.forbidden.map((r) => r.name))].filter((n) => !tested.has(n))).toEqual(
      [],
    );
  });
});
