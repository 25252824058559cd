/**
 * The `event_store.client.streams.Streams` service of the EventStoreDB test double, from the
 * service definition `@eventstore/db-client` ships: `Append` (client streaming: the options,
 * then one proposed message per event), `BatchAppend` when the node has it
 * (double-batch-append.ts), and `Read` (a stream forwards or backwards, `$all` from a
 * position, or a catch-up subscription to `$all` with its filter: confirmation, the events after
 * the position, caught-up, then live). Faults queued on the double answer a call the way a
 * failing node does (unavailable, not the leader, no answer before the deadline).
 */
import * as grpc from '@grpc/grpc-js';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import {
  AppendReq,
  AppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { assert } from '@kob/kernel';
import type { DoubleExpected, DoubleLog, DoubleRecord, WriteOutcome } from './double-log';
import { type DoubleFaults, answerWithFault } from './double-faults';
import {
  type DoubleCalls,
  type HeldWrites,
  batchAppendHandler,
  proposed,
} from './double-batch-append';

type Filter = (r: DoubleRecord) => boolean;

/** The service; without `batchAppend` (a node before 21.x) that call answers UNIMPLEMENTED. */
export function streamsService(
  log: DoubleLog,
  faults: DoubleFaults,
  held: HeldWrites,
  calls: DoubleCalls,
  { batchAppend }: { batchAppend: boolean },
): grpc.UntypedServiceImplementation {
  return {
    ...(batchAppend ? { batchAppend: batchAppendHandler(log, faults, held, calls) } : {}),
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => {
      calls.read += 1;
      if (answerWithFault(faults, 'read', call)) return;
      const options = call.request.getOptions();
      assert(options !== undefined, 'a read without options');
      if (options.hasStream()) return readStream(log, options, call);
      if (options.hasSubscription()) return subscribeToAll(log, options, call);
      return readAll(log, options, call);
    },
    append: (
      call: grpc.ServerReadableStream<AppendReq, AppendResp>,
      callback: grpc.sendUnaryData<AppendResp>,
    ) => {
      calls.append += 1;
      const messages: AppendReq[] = [];
      call.on('data', (m: AppendReq) => messages.push(m));
      call.on('end', () => append(log, faults, held, messages, callback));
    },
  };
}

function append(
  log: DoubleLog,
  faults: DoubleFaults,
  held: HeldWrites,
  messages: AppendReq[],
  callback: grpc.sendUnaryData<AppendResp>,
): void {
  const options = messages[0]?.getOptions();
  assert(options !== undefined, 'an append starts with its options');
  const streamId = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString();
  const fault = faults.take('append', streamId);
  if (fault?.when === 'before') return fault.answer(callback);
  const expected = expectedOf(options);
  const events = messages.slice(1).map((m) => proposed(m.getProposedMessage()!));
  const hold = held.take(streamId);
  const answer = (outcome: WriteOutcome) => {
    if (fault?.when === 'after') return fault.answer(callback);
    callback(null, appendResponse(outcome, expected));
  };
  if (!hold) return answer(log.write(streamId, expected, events));
  const begun = log.beginWrite(streamId, expected, events);
  if (!('pending' in begun)) return answer(begun);
  hold(() => {
    const outcome = begun.commit();
    answer(outcome);
    return outcome;
  });
}

function expectedOf(options: AppendReq.Options): DoubleExpected {
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasAny()) return 'any';
  if (options.hasStreamExists()) return 'stream_exists';
  return BigInt(options.getRevision());
}

function appendResponse(outcome: WriteOutcome, expected: DoubleExpected): AppendResp {
  const resp = new AppendResp();
  if (outcome.ok) {
    const success = new AppendResp.Success();
    success.setCurrentRevision(outcome.currentRevision.toString());
    const position = new AppendResp.Position();
    position.setCommitPosition(outcome.commit.toString());
    position.setPreparePosition(outcome.prepare.toString());
    success.setPosition(position);
    resp.setSuccess(success);
    return resp;
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.currentRevision === null) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(outcome.currentRevision.toString());
  if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
  else if (expected === 'any') wrong.setExpectedAny(new Empty());
  else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
  else wrong.setExpectedRevision(expected.toString());
  resp.setWrongExpectedVersion(wrong);
  return resp;
}

/** Events one read answers at most (the client asks for "all" as 2^53 - 1). */
const READ_COUNT_MAX = 1_000_000n;

/** A read's direction and how many events it asks for. */
function readShape(options: ReadReq.Options): { backwards: boolean; count: number } {
  const asked = BigInt(options.getCount());
  return {
    backwards: options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS,
    count: Number(asked > READ_COUNT_MAX ? READ_COUNT_MAX : asked),
  };
}

function readStream(
  log: DoubleLog,
  options: ReadReq.Options,
  call: grpc.ServerWritableStream<ReadReq, ReadResp>,
): void {
  const streamOptions = options.getStream()!;
  const name = streamOptions.getStreamIdentifier()!;
  const streamId = Buffer.from(name.getStreamName_asU8()).toString();
  const records = log.stream(streamId);
  if (records.length === 0) {
    const resp = new ReadResp();
    const notFound = new ReadResp.StreamNotFound();
    notFound.setStreamIdentifier(name);
    resp.setStreamNotFound(notFound);
    call.write(resp);
    return void call.end();
  }
  const { backwards, count } = readShape(options);
  let from = backwards ? records.length - 1 : 0;
  if (streamOptions.hasRevision()) from = Number(streamOptions.getRevision());
  const picked = backwards
    ? records.slice(Math.max(0, from - count + 1), from + 1).reverse()
    : records.slice(from, from + count);
  for (const r of picked) call.write(eventResponse(r));
  call.end();
}

/** `$all` forwards from a position (the event at that position included) or backwards from the end. */
function readAll(
  log: DoubleLog,
  options: ReadReq.Options,
  call: grpc.ServerWritableStream<ReadReq, ReadResp>,
): void {
  const all = options.getAll()!;
  const { backwards, count } = readShape(options);
  const filter = filterOf(options);
  assert(!backwards || all.hasEnd(), 'the double reads $all backwards from the end only');
  const candidates = backwards ? [...log.all].reverse() : log.all.filter(atOrAfter(all));
  let sent = 0;
  for (const r of candidates) {
    if (sent >= count) break;
    if (!filter(r)) continue;
    call.write(eventResponse(r));
    sent += 1;
  }
  call.end();
}

/** Confirmation, the events after the position (exclusive), caught-up, then live events. */
function subscribeToAll(
  log: DoubleLog,
  options: ReadReq.Options,
  call: grpc.ServerWritableStream<ReadReq, ReadResp>,
): void {
  const all = options.getAll()!;
  const filter = filterOf(options);
  const confirmation = new ReadResp();
  const confirmed = new ReadResp.SubscriptionConfirmation();
  confirmed.setSubscriptionId(`double-${Math.random().toString(36).slice(2)}`);
  confirmation.setConfirmation(confirmed);
  call.write(confirmation);
  const start = all.getPosition();
  const after = (r: DoubleRecord) =>
    !start ||
    r.commit > BigInt(start.getCommitPosition()) ||
    (r.commit === BigInt(start.getCommitPosition()) &&
      r.prepare > BigInt(start.getPreparePosition()));
  const history = all.hasEnd()
    ? []
    : log.all.filter((r) => (all.hasStart() || after(r)) && filter(r));
  for (const r of history) call.write(eventResponse(r));
  const caughtUp = new ReadResp();
  caughtUp.setCaughtUp(new ReadResp.CaughtUp());
  call.write(caughtUp);
  // Same tick as the catch-up: nothing committed in between is missed.
  const stop = log.onCommitted((r) => {
    if (filter(r)) call.write(eventResponse(r));
  });
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}

function atOrAfter(all: ReadReq.Options.AllOptions): Filter {
  if (!all.hasPosition()) return () => true;
  const commit = BigInt(all.getPosition()!.getCommitPosition());
  const prepare = BigInt(all.getPosition()!.getPreparePosition());
  return (r) => r.commit > commit || (r.commit === commit && r.prepare >= prepare);
}

/** The server-side filter of a `$all` read: on the stream name or the event type, regex or prefixes. */
function filterOf(options: ReadReq.Options): Filter {
  if (!options.hasFilter()) return () => true;
  const f = options.getFilter()!;
  const onStream = f.hasStreamIdentifier();
  const expr = onStream ? f.getStreamIdentifier()! : f.getEventType()!;
  const regex = expr.getRegex() ? new RegExp(expr.getRegex()) : null;
  const prefixes = expr.getPrefixList();
  return (r) => {
    const subject = onStream ? r.streamId : r.type;
    if (regex && !regex.test(subject)) return false;
    return prefixes.length === 0 || prefixes.some((p) => subject.startsWith(p));
  };
}

function eventResponse(r: DoubleRecord): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  const id = new UUID();
  id.setString(r.id);
  recorded.setId(id);
  const name = new StreamIdentifier();
  name.setStreamName(Buffer.from(r.streamId));
  recorded.setStreamIdentifier(name);
  recorded.setStreamRevision(r.revision.toString());
  recorded.setPreparePosition(r.prepare.toString());
  recorded.setCommitPosition(r.commit.toString());
  recorded
    .getMetadataMap()
    .set('type', r.type)
    .set('content-type', r.contentType)
    .set('created', r.createdTicks.toString());
  recorded.setCustomMetadata(r.customMetadata);
  recorded.setData(r.data);
  const event = new ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(r.commit.toString());
  const resp = new ReadResp();
  resp.setEvent(event);
  return resp;
}
