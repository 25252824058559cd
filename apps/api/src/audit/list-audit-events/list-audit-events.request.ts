/** The filters of `GET /audit/events` (validated; unknown parameters refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../http/pagination';

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
