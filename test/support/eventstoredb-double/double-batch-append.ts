/**
 * `Streams.BatchAppend` of the EventStoreDB test double (21.10 and later): one long-lived
 * bidirectional call carries many appends at once, each named by its correlation id. A request
 * with options opens an append (stream, expected revision, deadline); requests with the same
 * correlation id add proposed messages; the one with `is_final` submits it. Each append gets
 * its own answer, in the order the writes finish, not the order they were sent: success
 * (current revision, position) or an error as a `google.rpc.Status` whose details pack
 * `WrongExpectedVersion` or `Timeout`, as the server's batch append reports them.
 *
 * The deadline travels in the options (the client's call has none): an append not answered by
 * then is answered `Timeout`, whether or not it was written. The double's faults meet a batch
 * append as a node meets a call: `unavailable` and `not-leader` end the whole call with that
 * status (every append still open on it fails, as when a node drops or steps down), `no-answer`
 * leaves the append unanswered until its deadline. A held append keeps only its own answer back.
 */
import * as grpc from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  AllStreamPosition,
  Empty,
  StreamIdentifier,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import {
  BatchAppendReq,
  BatchAppendResp,
  type AppendReq,
} from '@eventstore/db-client/generated/streams_pb';
import { assert } from '@kob/kernel';
import type { DoubleExpected, DoubleLog, ProposedEvent, WriteOutcome } from './double-log';
import type { DoubleFaults } from './double-faults';

/** Calls the double answered, by method; over `BatchAppend`, its requests and appends. */
export interface DoubleCalls {
  read: number;
  append: number;
  batchAppend: number;
  batchAppendRequests: number;
  batchAppendWrites: number;
}

/** The write that the next append to a stream becomes: its commit waits for `release`. */
export interface HeldWrites {
  /** stream id → resolves when the hold is in place, with the function that commits it */
  take(streamId: string): ((commitNow: () => WriteOutcome) => void) | undefined;
}

type BatchCall = grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>;

/** Appends open on one call at once (a client sends far fewer): beyond, the call is refused. */
const OPEN_APPENDS_MAX = 10_000;

/** An append of the call: opened by its options, written at its final request. */
interface OpenAppend {
  correlation: UUID;
  streamId: string;
  expected: DoubleExpected;
  events: ProposedEvent[];
  timer: NodeJS.Timeout;
}

export function batchAppendHandler(
  log: DoubleLog,
  faults: DoubleFaults,
  held: HeldWrites,
  calls: DoubleCalls,
): (call: BatchCall) => void {
  return (call) => {
    calls.batchAppend += 1;
    new BatchAppendCall(log, faults, held, calls, call).start();
  };
}

class BatchAppendCall {
  /** Appends opened and not answered yet, by correlation id. */
  private readonly open = new Map<string, OpenAppend>();
  private closed = false;
  private clientDone = false;

  constructor(
    private readonly log: DoubleLog,
    private readonly faults: DoubleFaults,
    private readonly held: HeldWrites,
    private readonly calls: DoubleCalls,
    private readonly call: BatchCall,
  ) {}

  start(): void {
    this.call.on('data', (req: BatchAppendReq) => this.receive(req));
    // The client closed its side: answer what is open, then end the call.
    this.call.on('end', () => {
      this.clientDone = true;
      this.endIfDone();
    });
    for (const event of ['cancelled', 'close', 'error'] as const) {
      this.call.on(event, () => this.shutDown());
    }
  }

  private receive(req: BatchAppendReq): void {
    if (this.closed) return;
    this.calls.batchAppendRequests += 1;
    const correlation = req.getCorrelationId();
    assert(correlation !== undefined, 'a batch append request without a correlation id');
    const key = Buffer.from(correlation.serializeBinary()).toString('base64');
    const options = req.getOptions();
    if (options && !this.open.has(key)) {
      assert(this.open.size < OPEN_APPENDS_MAX, 'too many appends open on one batch call');
      this.open.set(key, this.opened(key, correlation, options));
    }
    const append = this.open.get(key);
    // An append already answered (its deadline passed) or never opened: nothing to add to.
    if (!append) return;
    append.events.push(...req.getProposedMessagesList().map(proposed));
    if (req.getIsFinal()) this.submit(key, append);
  }

  private opened(key: string, correlation: UUID, options: BatchAppendReq.Options): OpenAppend {
    const name = options.getStreamIdentifier();
    assert(name !== undefined, 'a batch append without a stream');
    const deadline = options.getDeadline();
    const leftMs = deadline ? deadline.toDate().getTime() - Date.now() : Number.MAX_SAFE_INTEGER;
    const append: OpenAppend = {
      correlation,
      streamId: Buffer.from(name.getStreamName_asU8()).toString(),
      expected: expectedOf(options),
      events: [],
      timer: setTimeout(() => this.answer(key, timeoutAnswer()), Math.max(0, leftMs)),
    };
    append.timer.unref();
    return append;
  }

  /** The append's final request: written (or held, or failed by a fault) and answered. */
  private submit(key: string, append: OpenAppend): void {
    this.calls.batchAppendWrites += 1;
    const fault = this.faults.take('append', append.streamId);
    if (fault?.when === 'before') return fault.answer((status) => this.fail(status));
    const answer = (outcome: WriteOutcome) => {
      if (fault?.when === 'after') return fault.answer((status) => this.fail(status));
      this.answer(key, outcomeAnswer(outcome, append.expected));
    };
    const hold = this.held.take(append.streamId);
    if (!hold) return answer(this.log.write(append.streamId, append.expected, append.events));
    const begun = this.log.beginWrite(append.streamId, append.expected, append.events);
    if (!('pending' in begun)) return answer(begun);
    hold(() => {
      const outcome = begun.commit();
      answer(outcome);
      return outcome;
    });
  }

  /** Sends an append's answer, once: a later one (after its deadline) is dropped. */
  private answer(key: string, resp: BatchAppendResp): void {
    const append = this.open.get(key);
    if (!append || this.closed) return;
    this.open.delete(key);
    clearTimeout(append.timer);
    resp.setCorrelationId(append.correlation);
    const name = new StreamIdentifier();
    name.setStreamName(Buffer.from(append.streamId));
    resp.setStreamIdentifier(name);
    this.call.write(resp);
    this.endIfDone();
  }

  /** Ends the whole call with a status: every append open on it is lost to the client. */
  private fail(status: Partial<grpc.StatusObject>): void {
    if (this.closed) return;
    this.call.emit('error', status);
    this.shutDown();
  }

  private endIfDone(): void {
    if (this.clientDone && this.open.size === 0 && !this.closed) {
      this.shutDown();
      this.call.end();
    }
  }

  private shutDown(): void {
    this.closed = true;
    for (const append of this.open.values()) clearTimeout(append.timer);
    this.open.clear();
  }
}

function expectedOf(options: BatchAppendReq.Options): DoubleExpected {
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasAny()) return 'any';
  if (options.hasStreamExists()) return 'stream_exists';
  assert(options.hasStreamPosition(), 'a batch append without an expected revision');
  return BigInt(options.getStreamPosition());
}

/** A proposed message of `Append` or `BatchAppend` as the log's event. */
export function proposed(
  m: BatchAppendReq.ProposedMessage | AppendReq.ProposedMessage,
): ProposedEvent {
  const metadata = m.getMetadataMap();
  return {
    id: m.getId()!.getString(),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: Buffer.from(m.getData_asU8()),
    customMetadata: Buffer.from(m.getCustomMetadata_asU8()),
  };
}

function outcomeAnswer(outcome: WriteOutcome, expected: DoubleExpected): BatchAppendResp {
  const resp = new BatchAppendResp();
  if (outcome.ok) {
    const success = new BatchAppendResp.Success();
    success.setCurrentRevision(outcome.currentRevision.toString());
    const position = new AllStreamPosition();
    position.setCommitPosition(outcome.commit.toString());
    position.setPreparePosition(outcome.prepare.toString());
    success.setPosition(position);
    resp.setSuccess(success);
    return resp;
  }
  const wrong = new WrongExpectedVersion();
  if (outcome.currentRevision === null) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentStreamRevision(outcome.currentRevision.toString());
  if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
  else if (expected === 'any') wrong.setExpectedAny(new Empty());
  else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
  else wrong.setExpectedStreamPosition(expected.toString());
  resp.setError(status(Code.ALREADY_EXISTS, 'WrongExpectedVersion', wrong, 'WrongExpectedVersion'));
  return resp;
}

function timeoutAnswer(): BatchAppendResp {
  const resp = new BatchAppendResp();
  resp.setError(status(Code.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'Timeout'));
  return resp;
}

/** A `google.rpc.Status` whose details pack an `event_store.client.<type>` message. */
function status(
  code: Code,
  message: string,
  details: WrongExpectedVersion | Timeout,
  type: string,
): Status {
  const packed = new Any();
  packed.pack(details.serializeBinary(), `event_store.client.${type}`);
  const s = new Status();
  s.setCode(code);
  s.setMessage(message);
  s.setDetails(packed);
  return s;
}
