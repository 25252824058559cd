/**
 * Faults the EventStoreDB test double answers with, queued by a test for the next call of a
 * method, the way a node of a cluster fails: `unavailable` (the node is down or restarting:
 * UNAVAILABLE), `not-leader` (a follower refuses a write that requires the leader and names it
 * in the trailers `exception: not-leader`, `leader-endpoint-host`, `leader-endpoint-port`), or
 * `no-answer` (the call hangs until the client's deadline; over `BatchAppend`, whose call has no
 * deadline, the append is answered `Timeout` at the deadline its options carry). `after` applies
 * the write first and then fails its answer: the client cannot tell whether the append happened.
 * Over `BatchAppend` an `unavailable` or `not-leader` append fault ends the whole call.
 */
import * as grpc from '@grpc/grpc-js';

export type FaultKind = 'unavailable' | 'not-leader' | 'no-answer';

export interface Fault {
  method: 'append' | 'read';
  kind: FaultKind;
  when: 'before' | 'after';
  /** Only an append to this stream meets the fault (any call of the method when absent). */
  streamId?: string;
}

export interface TakenFault {
  when: Fault['when'];
  answer(callback: (error: Partial<grpc.StatusObject>) => void): void;
}

export class DoubleFaults {
  private readonly queue: Fault[] = [];

  constructor(private readonly leader: () => { host: string; port: number }) {}

  add(fault: Fault): void {
    this.queue.push(fault);
  }

  /** Faults queued and not yet met by a call. */
  get pending(): number {
    return this.queue.length;
  }

  /** The next queued fault of `method`, removed from the queue. */
  take(method: Fault['method'], streamId?: string): TakenFault | undefined {
    const i = this.queue.findIndex(
      (f) => f.method === method && (f.streamId === undefined || f.streamId === streamId),
    );
    if (i < 0) return undefined;
    const [fault] = this.queue.splice(i, 1);
    return {
      when: fault!.when,
      answer: (callback) => {
        if (fault!.kind !== 'no-answer') callback(this.status(fault!.kind));
      },
    };
  }

  private status(kind: Exclude<FaultKind, 'no-answer'>): Partial<grpc.StatusObject> {
    if (kind === 'unavailable') {
      return { code: grpc.status.UNAVAILABLE, details: 'Server Is Not Ready' };
    }
    const metadata = new grpc.Metadata();
    const { host, port } = this.leader();
    metadata.set('exception', 'not-leader');
    metadata.set('leader-endpoint-host', host);
    metadata.set('leader-endpoint-port', String(port));
    return { code: grpc.status.NOT_FOUND, details: 'Leader info available', metadata };
  }
}

/** Answers a read with the next queued read fault, if there is one (then the read is over). */
export function answerWithFault(
  faults: DoubleFaults,
  method: 'read',
  call: grpc.ServerWritableStream<unknown, unknown>,
): boolean {
  const fault = faults.take(method);
  if (!fault) return false;
  fault.answer((status) => call.emit('error', status));
  return true;
}
