/**
 * The EventStoreDB adapter against the port's contract, through the real client: in every
 * `npm test` against the gRPC test double (test/support/eventstoredb-double) as a 21.10 node
 * (appends over `BatchAppend`) and as a 20.x node (`Append` only), and against a
 * real server as well whenever EVENTSTORE_CONNECTION_STRING is set. EventStoreDB has no
 * multi-stream transaction, so the contract's atomic parts are left out by capability and
 * eventstoredb-multi-stream.spec.ts tests the compensation instead.
 */
import {
  type DoubleOptions,
  startEventStoreDbDouble,
} from '@test/eventstoredb-double/eventstoredb-double';
import { assert } from '@kob/kernel';
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

/** The contract's harness on a double of its own, a node of the kind `node` names. */
function doubleHarness(node: DoubleOptions) {
  return async (): Promise<ContractHarness> => {
    const double = await startEventStoreDbDouble(node);
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
        // The contract's appends went the one way this kind of node makes the client send them.
        const { append, batchAppendWrites } = double.calls();
        const [used, unused] = double.batchAppend
          ? [batchAppendWrites, append]
          : [append, batchAppendWrites];
        assert(
          used > 0 && unused === 0,
          `appends over the wrong call: Append ${append}, BatchAppend ${batchAppendWrites}`,
        );
      },
    };
  };
}

// Both ways the client appends: BatchAppend (21.10+, the default) and Append (20.x).
describeEventStoreContract(
  'eventstoredb (gRPC test double, real client, BatchAppend)',
  doubleHarness({}),
  WITHOUT_TRANSACTIONS,
);
describeEventStoreContract(
  'eventstoredb (gRPC test double as a 20.x node, real client, Append)',
  doubleHarness({ batchAppend: false }),
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
