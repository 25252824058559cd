/**
 * The answers of the audit routes (API-RULES.md §1 and §6): a masked audit_log row, one stream's
 * raw events and the verdict of its chain. Revisions and other 64-bit numbers are strings;
 * positions are opaque tokens.
 */
import { ApiProperty } from '@nestjs/swagger';
import { type RecordedEvent, encodePosition } from '@kob/event-store';
import { PageOf } from '../../http/pagination';

/** Which event it is, in both views: where it stands in `$all`, its id and its stream. */
abstract class RecordedEventIdView {
  @ApiProperty({ description: 'Opaque position token in $all' })
  position!: string;
  @ApiProperty({ format: 'uuid' })
  event_id!: string;
  @ApiProperty()
  stream_id!: string;
}

export class AuditEventView extends RecordedEventIdView {
  @ApiProperty({ description: 'Revision in its stream (a 64-bit integer, as a string)' })
  revision!: string;
  @ApiProperty()
  type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Who caused it' })
  actor!: unknown;
  @ApiProperty({ description: 'API key prefix, `legacy`, or the system actor name' })
  actor_label!: string;
  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The request id that caused it' })
  correlation_id!: string | null;
  @ApiProperty({ description: 'The event data, masked (KOBATELA-SPEC.md §4.14 and more)' })
  data!: unknown;
}

export class AuditEventsPage extends PageOf(AuditEventView) {}

export class RawEventView extends RecordedEventIdView {
  @ApiProperty({ description: 'A 64-bit integer, as a string' })
  revision!: string;
  @ApiProperty()
  type!: string;
  @ApiProperty({ description: 'The event data as stored, unmasked' })
  data!: unknown;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'actor, commandId, correlationId, causationId, occurredAt, prevHash, hash…',
  })
  metadata!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  recorded_at!: string;
}

export class AuditStreamView {
  @ApiProperty()
  stream_id!: string;
  @ApiProperty({ description: 'Whether the hash chain re-computes from the stored events' })
  chain_valid!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'First revision that breaks it' })
  first_bad_revision!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why that revision breaks it' })
  reason!: string | null;
  @ApiProperty({ type: [RawEventView] })
  events!: RawEventView[];
}

export function rawView(e: RecordedEvent): RawEventView {
  return {
    position: encodePosition(e.position),
    event_id: e.id,
    stream_id: e.streamId,
    revision: e.revision.toString(),
    type: e.type,
    data: withoutSecrets(e.data),
    metadata: { ...e.metadata },
    recorded_at: e.recordedAt.toISOString(),
  };
}

/**
 * Raw means raw, PII included, with one exception: a key's HMAC is a credential check value,
 * not information, so it is hidden here too.
 */
function withoutSecrets(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const record = data as Record<string, unknown>;
  return 'keyHash' in record ? { ...record, keyHash: '***' } : data;
}
