/**
 * Query and answer shapes of the audit routes (API-RULES.md §1 and §6): the filters of
 * `GET /audit/events` (validated; unknown parameters refused) and the documented answers.
 * Revisions and other 64-bit numbers are strings; positions are opaque tokens.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../http/pagination';

/** Longest stream id, type or actor prefix a filter accepts (ids are far shorter). */
export const AUDIT_FILTER_LENGTH_MAX = 512;

export class AuditEventsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only events of this stream (exact id)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(AUDIT_FILTER_LENGTH_MAX)
  stream?: string;

  @ApiPropertyOptional({ description: 'Only events of this type, e.g. `user.registered.v1`' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(AUDIT_FILTER_LENGTH_MAX)
  type?: string;

  @ApiPropertyOptional({
    description:
      'Only events whose actor label starts with this (`koba_ab12`, `system:`, `legacy`)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(AUDIT_FILTER_LENGTH_MAX)
  actor_prefix?: string;

  // Any string is accepted here so that a malformed token is the handler's 400
  // INVALID_EVENT_POSITION (the same code as X-Min-Event-Position), not a 422.
  @ApiPropertyOptional({ description: 'Only events after this position token (exclusive)' })
  @IsOptional()
  @IsString()
  from_position?: string;
}

export class AuditEventView {
  @ApiProperty({ description: 'Opaque position token in $all' })
  position!: string;
  @ApiProperty({ format: 'uuid' })
  event_id!: string;
  @ApiProperty()
  stream_id!: string;
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

export class AuditEventsPage {
  @ApiProperty({ type: [AuditEventView] })
  items!: AuditEventView[];
  @ApiProperty()
  total!: number;
  @ApiProperty()
  limit!: number;
  @ApiProperty()
  offset!: number;
}

export class RawEventView {
  @ApiProperty({ description: 'Opaque position token in $all' })
  position!: string;
  @ApiProperty({ format: 'uuid' })
  event_id!: string;
  @ApiProperty()
  stream_id!: string;
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
