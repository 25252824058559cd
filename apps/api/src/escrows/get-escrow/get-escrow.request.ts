/** The query string of `GET /escrows/{id}` (validated; unknown parameters refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class EscrowAsOfParams {
  // Any string is accepted here so that a caller who may not use `as_of` gets its 403 whatever
  // the value; the handler parses it once the scope is checked (422 naming it if malformed).
  @ApiPropertyOptional({
    description:
      'Auditor and admin only: the escrow as its event stream stood at this point, a position ' +
      'token (`X-Event-Position`: the events at or before it) or an ISO-8601 time with a zone ' +
      '(the events recorded by then). The answer adds `as_of` and the `revision` and `position` ' +
      'of the last event folded; 404 ESCROW_NOT_FOUND if the escrow had no events by then.',
    example: '2026-12-01T10:00:00Z',
  })
  @IsOptional()
  @IsString()
  as_of?: string;
}
