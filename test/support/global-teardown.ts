import './register-paths';
import { stopTestCluster, type TestCluster } from './pg-instances';

export default async function globalTeardown(): Promise<void> {
  const clusters = (globalThis as { __kobatelaClusters?: TestCluster[] }).__kobatelaClusters ?? [];
  await Promise.all(clusters.map((c) => stopTestCluster(c)));
}
