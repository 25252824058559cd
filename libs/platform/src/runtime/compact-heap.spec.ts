/**
 * `compactHeap` runs in a fresh Node process here (the compiled module from dist/): Node's
 * experimental warning is emitted once per process, through the real `process`, which jest's
 * sandbox does not expose to the code under test.
 */
import { spawnSync } from 'node:child_process';
import { distFile } from '../../../../test/support/child';
import { compactHeapAfterStart } from './compact-heap';

interface ChildRun {
  stdout: string;
  stderr: string;
}

/** Runs `script` in a fresh Node process with `compact` bound to the compiled module. */
function child(script: string): ChildRun {
  const file = JSON.stringify(distFile('libs/platform/src/runtime/compact-heap.js'));
  const run = spawnSync(process.execPath, ['-e', `const compact = require(${file});\n${script}`], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

describe('compactHeap', () => {
  it('collects the garbage the process holds no reference to, and keeps what it holds', () => {
    const { stdout } = child(`
      const kept = Array.from({ length: 10000 }, (_, i) => ({ i }));
      // About 40 MB of objects, then dropped: only a full collection takes them back at once.
      let garbage = Array.from({ length: 40 }, (_, i) =>
        Array.from({ length: 20000 }, (_, j) => ({ n: i * j, s: 'garbage ' + i + ':' + j })));
      garbage = null;
      const done = compact.compactHeap();
      console.log(JSON.stringify({ ...done, kept: kept[9999].i }));
    `);
    const done = JSON.parse(stdout) as {
      usedBefore: number;
      usedAfter: number;
      ms: number;
      kept: number;
    };
    expect(done.usedBefore - done.usedAfter).toBeGreaterThan(20 * 1024 * 1024);
    expect(done.ms).toBeGreaterThan(0);
    expect(done.kept).toBe(9999);
  });

  it("holds back Node's experimental warning for v8.queryObjects, and only that one", () => {
    // The control: the call itself warns (so the check below can fail).
    expect(child("require('node:v8').queryObjects(class Nothing {});").stderr).toMatch(
      /ExperimentalWarning: v8\.queryObjects\(\) is an experimental feature/,
    );
    const { stdout, stderr } = child(`
      const emitWarning = process.emitWarning;
      if (compact.compactHeap() === null) throw new Error('nothing done');
      console.log(process.emitWarning === emitWarning ? 'restored' : 'replaced');
      process.emitWarning('still passes', 'TestWarning');
    `);
    expect(stderr).not.toMatch(/queryObjects/);
    expect(stderr).toMatch(/TestWarning: still passes/);
    expect(stdout.trim()).toBe('restored');
  });
});

describe('compactHeapAfterStart', () => {
  it('does nothing when switched off', () => {
    const info = jest.fn();
    expect(compactHeapAfterStart(false, { info } as never)).toBeNull();
    expect(info).not.toHaveBeenCalled();
  });

  it('logs what it did when on', () => {
    const { stdout } = child(`
      const logged = [];
      compact.compactHeapAfterStart(true, { info: (fields, message) => logged.push({ fields, message }) });
      console.log(JSON.stringify(logged));
    `);
    const logged = JSON.parse(stdout) as { fields: Record<string, number>; message: string }[];
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).toBe('heap compacted after start');
    expect(Object.keys(logged[0]!.fields).sort()).toEqual([
      'ms',
      'used_mb_after',
      'used_mb_before',
    ]);
    expect(logged[0]!.fields.used_mb_after).toBeLessThanOrEqual(logged[0]!.fields.used_mb_before!);
  });
});
