/**
 * The per-stream integrity chain. Each event's hash is sha256 over the JCS canonical JSON of
 * the event (stream, revision, id, type, data and metadata including `prevHash`, excluding the
 * hash itself). The first event's prevHash is GENESIS_HASH. Editing any stored byte that
 * matters, deleting or reordering events breaks the chain at that revision.
 */
import { canonicalJson, sha256Hex } from '@kob/kernel';
import type { AppendMetadata, EventMetadata, RecordedEvent } from './event-store.port';

export const GENESIS_HASH = '0'.repeat(64);

export function eventHash(input: {
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: AppendMetadata & { prevHash: string };
}): string {
  const { hash: _ignored, ...metadata } = input.metadata as EventMetadata;
  return sha256Hex(
    canonicalJson({
      streamId: input.streamId,
      revision: input.revision.toString(),
      id: input.id,
      type: input.type,
      data: input.data,
      metadata,
    }),
  );
}

/**
 * `eventHash` from the canonical JSON of the data and of the metadata without its hash, as the
 * writer has them: the same text `canonicalJson` gives for the whole event (its members in
 * their sorted order: data, id, metadata, revision, streamId, type).
 */
export function eventHashOfJson(
  streamId: string,
  revision: bigint,
  id: string,
  type: string,
  dataJson: string,
  metadataJson: string,
): string {
  return sha256Hex(
    `{"data":${dataJson},"id":${JSON.stringify(id)},"metadata":${metadataJson},` +
      `"revision":"${revision}","streamId":${JSON.stringify(streamId)},"type":${JSON.stringify(type)}}`,
  );
}

export type ChainVerdict =
  | { valid: true; events: number; headHash: string }
  | { valid: false; events: number; firstBadRevision: bigint; reason: string };

/** Verifies a whole stream read in revision order; names the first bad revision. */
export function verifyChain(events: readonly RecordedEvent[]): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedRevision = 0n;
  for (const e of events) {
    if (e.revision !== expectedRevision) {
      return bad(events.length, expectedRevision, `revision ${expectedRevision} is missing`);
    }
    if (e.metadata.prevHash !== prev) {
      return bad(events.length, e.revision, 'prevHash does not match the previous event');
    }
    const recomputed = eventHash({ ...e, metadata: e.metadata });
    if (recomputed !== e.metadata.hash) {
      return bad(events.length, e.revision, 'content does not match its hash');
    }
    prev = e.metadata.hash;
    expectedRevision += 1n;
  }
  return { valid: true, events: events.length, headHash: prev };
}

function bad(count: number, revision: bigint, reason: string): ChainVerdict {
  return { valid: false, events: count, firstBadRevision: revision, reason };
}
