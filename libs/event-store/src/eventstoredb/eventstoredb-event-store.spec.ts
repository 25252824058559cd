/**
 * The EventStoreDB adapter against the port's contract, through the real client: in every
 * `npm test` against the gRPC test double (test/support/eventstoredb-double), and against a
 * real server as well whenever EVENTSTORE_CONNECTION_STRING is set. EventStoreDB has no
 * multi-stream transaction, so the contract's atomic parts are left out by capability and
 * eventstoredb-multi-stream.spec.ts tests the compensation instead.
 */
import {
  type EventStoreDbDouble,
  startEventStoreDbDouble,
} from '@test/eventstoredb-double/eventstoredb-double';
import { type ContractHarness, describeEventStoreContract } from '../contract/event-store.contract';
import type { StreamAppend } from '../event-store.port';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const WITHOUT_TRANSACTIONS = { atomicMultiStream: false };

/** Stores on their own connections to one server, all closed with the harness. */
function storesOn(connectionString: string) {
  const stores: EventStoreDbEventStore[] = [];
  const open = () => {
    const store = EventStoreDbEventStore.connect(connectionString);
    stores.push(store);
    return store;
  };
  return {
    open,
    closeAll: async () => void (await Promise.all(stores.map((s) => s.close()))),
  };
}

let double: EventStoreDbDouble;

describeEventStoreContract(
  'eventstoredb (gRPC test double, real client)',
  async (): Promise<ContractHarness> => {
    double = await startEventStoreDbDouble();
    const { open, closeAll } = storesOn(double.connectionString);
    const store = open();
    return {
      store,
      otherStore: open,
      // The double logs the write's prepares now and its commit record later: an explicit
      // transaction committed late, the one way a write can reach $all after later ones.
      holdOpenAppend: async (append: StreamAppend) => {
        const held = double.holdNextAppend(append.streamId);
        const appending = store.appendMulti([append]);
        const { commit } = await held;
        return {
          commit: async () => {
            commit();
            await appending;
          },
        };
      },
      tamper: async (streamId, revision, data) => double.log.tamper(streamId, revision, data),
      close: async () => {
        await closeAll();
        await double.close();
      },
    };
  },
  WITHOUT_TRANSACTIONS,
);

const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
if (realServer) {
  describeEventStoreContract(
    'eventstoredb (real server)',
    async (): Promise<ContractHarness> => {
      const { open, closeAll } = storesOn(realServer);
      const store = open();
      return {
        store,
        otherStore: open,
        // Over gRPC a write is never pending: a late writer is one whose append is sent late.
        holdOpenAppend: async (append: StreamAppend) => ({
          commit: async () => void (await store.appendMulti([append])),
        }),
        tamper: async () => {
          throw new Error('a real EventStoreDB log cannot be edited through its API');
        },
        close: closeAll,
      };
    },
    WITHOUT_TRANSACTIONS,
  );
}
