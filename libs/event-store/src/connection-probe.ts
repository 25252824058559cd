/**
 * The probe behind `EventStore.connection`: one cheap call, timed, bounded by a deadline of its
 * own (a pool that has no free connection, or a node that does not answer, reads as `deadline`
 * rather than holding `/health`), its failure classified by the adapter.
 */
import type { StoreConnection } from './event-store.port';

export async function probeConnection(
  timeoutMs: number,
  call: () => Promise<unknown>,
  classify: (err: unknown) => Exclude<StoreConnection['state'], 'connected'>,
): Promise<StoreConnection> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([call().then(() => 'answered' as const), deadline]);
    if (outcome === 'deadline')
      return { state: 'deadline', latencyMs: null, detail: `no answer within ${timeoutMs} ms` };
    return { state: 'connected', latencyMs: Math.round(performance.now() - started), detail: null };
  } catch (err) {
    return { state: classify(err), latencyMs: null, detail: (err as Error).message ?? String(err) };
  } finally {
    clearTimeout(timer);
  }
}
