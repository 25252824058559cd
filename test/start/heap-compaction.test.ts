/**
 * The built API compacts its heap once start-up is done and before it listens
 * (COMPACT_HEAP_AT_START, on by default; platform/runtime/compact-heap.ts), without printing
 * Node's experimental warning for the call it uses, and skips it when switched off.
 */
import {
  assertBuilt,
  cleanup,
  makeTempDir,
  output,
  startHealthy,
  stopCleanly,
  type ApiProcess,
} from './api-process';

const COMPACTED = 'heap compacted after start';

async function started(env: Record<string, string>): Promise<ApiProcess> {
  const dataDir = await makeTempDir('kobatela-start-compact-');
  const { api } = await startHealthy({ env: { DATA_DIR: dataDir, ...env } });
  return api;
}

describe('heap compaction at start', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup, 60_000);

  it('runs once, before the API listens, and prints no warning', async () => {
    const api = await started({});
    try {
      const messages = api.logs.map((entry) => entry.msg);
      const compacted = api.logs.filter((entry) => entry.msg === COMPACTED);
      expect(compacted).toHaveLength(1);
      expect(messages.indexOf(COMPACTED)).toBeLessThan(messages.indexOf('listening'));
      const entry = compacted[0] as { used_mb_before: number; used_mb_after: number };
      expect(entry.used_mb_after).toBeLessThan(entry.used_mb_before);
      expect(api.stderr).not.toMatch(/ExperimentalWarning|queryObjects/);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output(api)}`);
    } finally {
      await stopCleanly(api);
    }
  }, 120_000);

  it('is skipped with COMPACT_HEAP_AT_START=false', async () => {
    const api = await started({ COMPACT_HEAP_AT_START: 'false' });
    try {
      expect(api.logs.map((entry) => entry.msg)).not.toContain(COMPACTED);
    } finally {
      await stopCleanly(api);
    }
  }, 120_000);
});
