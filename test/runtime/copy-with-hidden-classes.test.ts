/**
 * Issue 16 (memory): `copyWith` (libs/kernel/src/copy-with.ts) gives objects of one shape one
 * hidden class, where on Node 20 `{ ...m, prevHash }` gives each its own (a map in V8's old
 * generation per object). Checked with `%HaveSameMap` in a Node process of its own with natives
 * syntax, on the built library (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const MODULE = path.resolve(__dirname, '../../dist/libs/kernel/src/copy-with.js');

describe("copyWith and V8's hidden classes", () => {
  it('gives objects of one shape one hidden class, where the spread gives each its own', () => {
    const script = `
      const { copyWith } = require(${JSON.stringify(MODULE)});
      const same = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      const viaSpread = (m, prevHash) => ({ ...m, prevHash });
      const viaCopy = (m, prevHash) => copyWith(m, { prevHash });
      const count = (make) => {
        let prev = null, distinct = 0;
        for (let i = 0; i < 20000; i++) {
          const o = make({ commandId: 'c' + i, correlationId: 'r' + i, causationId: null }, 'h' + i);
          if (prev !== null && !same(prev, o)) distinct++;
          prev = o;
        }
        return distinct;
      };
      process.stdout.write(JSON.stringify({ spread: count(viaSpread), copy: count(viaCopy) }));
    `;
    const child = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
    const { spread, copy } = JSON.parse(child.stdout) as { spread: number; copy: number };
    expect(copy).toBeLessThanOrEqual(2);
    // The V8 behaviour this works around (Node 20); a later V8 may share them too.
    if (Number(process.versions.node.split('.')[0]) === 20) expect(spread).toBeGreaterThan(1000);
  });
});
