/**
 * A test double of an EventStoreDB node, NOT a server: an in-process `@grpc/grpc-js` server
 * built from the service definitions `@eventstore/db-client` ships (`streams_grpc_pb`,
 * `serverfeatures_grpc_pb`), answering the calls the event store adapter makes with
 * EventStoreDB's documented semantics (double-log.ts). The adapter is tested through the real
 * client against it; it has not run against a real server here.
 *
 * Two kinds of node, as the client tells them apart: by default a 21.10 node, whose server
 * features list `Streams.BatchAppend`, so the client sends every append over one long-lived
 * `BatchAppend` call (double-batch-append.ts), as it does with 21.10+ and KurrentDB; with
 * `batchAppend: false` a 20.x node, which has neither server features nor `BatchAppend`
 * (both UNIMPLEMENTED), so the client falls back to one client-streaming `Append` per append.
 */
import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { assert } from '@kob/kernel';
import { DoubleLog, type WriteOutcome } from './double-log';
import { DoubleFaults, type Fault } from './double-faults';
import type { DoubleCalls, HeldWrites } from './double-batch-append';
import { streamsService } from './double-streams-service';

/** What the double reports as its version: the LTS release whose semantics it follows. */
const DOUBLE_SERVER_VERSION = '21.10.0 (kobatela test double)';

export interface DoubleOptions {
  /** A node with `BatchAppend` (21.10, the default) or without it (20.x: `Append` only). */
  batchAppend?: boolean;
}

export interface EventStoreDbDouble {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  connectionString: string;
  port: number;
  log: DoubleLog;
  /** Answers the next call of a method with a fault. */
  fail(fault: Fault): void;
  /** Faults queued and not yet met by a call (a test checks its faults were met). */
  pendingFaults(): number;
  /** Calls answered so far, by method; over `BatchAppend`, its requests and appends. */
  calls(): Readonly<DoubleCalls>;
  /** Whether this node has `BatchAppend` (a restart keeps it the same kind of node). */
  batchAppend: boolean;
  /**
   * The next append to `streamId` logs its prepares and then waits: resolves once it is held,
   * with `commit()` to write its commit record (and answer the client).
   */
  holdNextAppend(streamId: string): Promise<{ commit(): WriteOutcome }>;
  /** Stops the node, letting calls finish for a moment before cutting them. */
  close(): Promise<void>;
  /** Stops the node at once (a crash): open calls and subscriptions are cut. */
  crash(): void;
}

/**
 * Starts a double; `log` and `port` of a stopped one bring that node back (a restart: clients
 * lose their connections and calls, the data stays).
 */
export async function startEventStoreDbDouble(
  options: DoubleOptions & { log?: DoubleLog; port?: number } = {},
): Promise<EventStoreDbDouble> {
  const { log = new DoubleLog(), batchAppend = true } = options;
  const server = new grpc.Server();
  let port = options.port ?? 0;
  const calls: DoubleCalls = {
    read: 0,
    append: 0,
    batchAppend: 0,
    batchAppendRequests: 0,
    batchAppendWrites: 0,
  };
  const faults = new DoubleFaults(() => ({ host: '127.0.0.1', port }));
  const holds = new Map<string, (commit: () => WriteOutcome) => void>();
  const held: HeldWrites = {
    take: (streamId) => {
      const hold = holds.get(streamId);
      holds.delete(streamId);
      return hold;
    },
  };
  server.addService(StreamsService, streamsService(log, faults, held, calls, { batchAppend }));
  // Server features came with 21.x: a 20.x node answers UNIMPLEMENTED, and the client assumes
  // the methods every node has.
  if (batchAppend) {
    server.addService(ServerFeaturesService, { getSupportedMethods: supportedMethods });
  }
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    fail: (fault) => faults.add(fault),
    pendingFaults: () => faults.pending,
    calls: () => ({ ...calls }),
    batchAppend,
    holdNextAppend: (streamId) =>
      new Promise((resolve) => {
        assert(!holds.has(streamId), `an append to ${streamId} is already held`);
        holds.set(streamId, (commit) => resolve({ commit }));
      }),
    crash: () => server.forceShutdown(),
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open subscriptions never end on their own: cut them after a grace period.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}

function supportedMethods(
  _call: grpc.ServerUnaryCall<unknown, SupportedMethods>,
  callback: grpc.sendUnaryData<SupportedMethods>,
): void {
  const methods = [
    ['event_store.client.streams.streams', 'read'],
    ['event_store.client.streams.streams', 'append'],
    ['event_store.client.streams.streams', 'batchappend'],
    ['event_store.client.server_features.serverfeatures', 'getsupportedmethods'],
  ].map(([service, method]) => {
    const m = new SupportedMethod();
    m.setServiceName(service!);
    m.setMethodName(method!);
    return m;
  });
  const answer = new SupportedMethods();
  answer.setMethodsList(methods);
  answer.setEventStoreServerVersion(DOUBLE_SERVER_VERSION);
  callback(null, answer);
}
