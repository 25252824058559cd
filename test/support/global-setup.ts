import './register-paths';
import type { Config } from '@jest/types';
import { TEST_PG_ENV, startTestCluster, type TestCluster } from './pg-instances';

/** Starts one PostgreSQL per jest worker; each test file then creates its own database. */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const workers = Math.max(1, globalConfig.maxWorkers);
  const clusters = await Promise.all(
    Array.from({ length: workers }, (_, i) => startTestCluster(`w${i + 1}`)),
  );
  (globalThis as { __kobatelaClusters?: TestCluster[] }).__kobatelaClusters = clusters;
  process.env[TEST_PG_ENV] = JSON.stringify(clusters.map((c) => c.access));
}
