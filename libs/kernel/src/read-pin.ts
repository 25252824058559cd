/**
 * A read pin: where a store cannot hold a condition on a stream only read until the write that
 * depends on it (EventStoreDB has no multi-stream transaction), the decision appends this event
 * to that stream at the revision it read, which orders the decision against every writer of the
 * stream (docs/ARCHITECTURE.md, libs/event-store). It carries no fact: every fold skips it, and no read
 * model handles it; the audit trail shows it as the record of what the decision read.
 */
export const READ_PIN_EVENT = 'stream.read-pinned.v1';

export interface ReadPinData {
  /** The decision's event the pin was written for (its stream and id). */
  decision: { streamId: string; eventId: string };
}

export function isReadPin(event: { type: string }): boolean {
  return event.type === READ_PIN_EVENT;
}
