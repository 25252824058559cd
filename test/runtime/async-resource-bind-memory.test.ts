/**
 * Issue 16 (memory): on Node 20, each function `AsyncResource.prototype.bind` returns keeps what
 * its callback closes over alive through V8's young-generation collections (its deprecated accessor
 * makes a fresh closure a prototype on every call: libs/platform/src/runtime/
 * async-resource-bind.ts). Fastify binds a callback per request with a body, so that was every such
 * request's objects. Checked in a fresh Node process on the built library (`npm test` builds
 * first): bind 4,000 callbacks that each close over a 2 KB string, drop them, run two
 * young-generation collections, and see how much the old generation grew: 3–10 MB with Node's bind
 * (the callbacks, their scopes and strings, promoted), 0.1–0.3 MB with the lean one.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const MODULE = path.resolve(
  __dirname,
  '../../dist/libs/platform/src/runtime/async-resource-bind.js',
);

function oldGenerationGrowthMb(lean: boolean): { needed: boolean; installed: boolean; mb: number } {
  const script = `
    const m = require(${JSON.stringify(MODULE)});
    const needed = m.nodeBindChangesPrototypes();
    const installed = ${lean} ? m.useLeanAsyncResourceBind() : false;
    const v8 = require('node:v8');
    const { AsyncResource } = require('node:async_hooks');
    const { randomBytes } = require('node:crypto');
    const oldUsed = () => v8.getHeapSpaceStatistics()
      .filter((s) => s.space_name === 'old_space' || s.space_name === 'large_object_space')
      .reduce((sum, s) => sum + s.space_used_size, 0);
    gc(); gc();
    const before = oldUsed();
    for (let i = 0; i < 4000; i++) {
      const payload = randomBytes(1000).toString('hex');
      new AsyncResource('test').bind(() => payload);
    }
    gc({ type: 'minor' }); gc({ type: 'minor' });
    process.stdout.write(JSON.stringify({ needed, installed, mb: (oldUsed() - before) / 1e6 }));
  `;
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

describe("what bound callbacks keep alive in V8's old generation", () => {
  it("with Node's bind where it makes deprecated accessors: every callback's scope", () => {
    const node = oldGenerationGrowthMb(false);
    expect(node.installed).toBe(false);
    if (node.needed) expect(node.mb).toBeGreaterThan(1.5);
    else expect(node.mb).toBeLessThan(1);
  });

  it('with the lean bind: none of it', () => {
    const lean = oldGenerationGrowthMb(true);
    expect(lean.installed).toBe(lean.needed);
    expect(lean.mb).toBeLessThan(1);
  });
});
