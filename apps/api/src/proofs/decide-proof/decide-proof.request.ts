/** The body of `POST /proofs/{id}/decision` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiError } from '../../http/api-error';

export class ProofDecisionBody {
  @ApiProperty({ enum: ['approve', 'approved', 'reject', 'rejected'] })
  @IsIn(['approve', 'approved', 'reject', 'rejected'])
  decision!: 'approve' | 'approved' | 'reject' | 'rejected';

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({
    maxLength: 2000,
    description: "the frontend's name for note (D8); both given must be equal",
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

/** The decision's note: `note`, or `comment` (FRONTEND-CONTRACT D8); both, differing, is 422. */
export function decisionNote(body: ProofDecisionBody): string | null {
  if (body.note !== undefined && body.comment !== undefined && body.note !== body.comment) {
    throw new ApiError(422, 'VALIDATION_ERROR', 'note and comment differ: give one of them', {
      fields: { comment: ['must equal note when both are given (comment is an alias of note)'] },
    });
  }
  return body.note ?? body.comment ?? null;
}
