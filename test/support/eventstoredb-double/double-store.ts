/**
 * A spec file's EventStoreDB test double and an adapter store connected to it through the real
 * client: started before the file's tests, closed after them, and after each test a check that
 * every fault it queued was met by a call (so the path the test names did run).
 */
import { EventStoreDbEventStore, type EventStoreDbOptions } from '@kob/event-store';
import {
  type DoubleOptions,
  type EventStoreDbDouble,
  startEventStoreDbDouble,
} from './eventstoredb-double';

export function useEventStoreDbDouble(
  options: EventStoreDbOptions = {},
  node: DoubleOptions = {},
): {
  double(): EventStoreDbDouble;
  store(): EventStoreDbEventStore;
} {
  let double: EventStoreDbDouble | undefined;
  let store: EventStoreDbEventStore | undefined;
  beforeAll(async () => {
    double = await startEventStoreDbDouble(node);
    store = EventStoreDbEventStore.connect(double.connectionString, options);
  });
  afterEach(() => {
    expect(double!.pendingFaults()).toBe(0);
  });
  afterAll(async () => {
    await store?.close();
    await double?.close();
  });
  return { double: () => double!, store: () => store! };
}
