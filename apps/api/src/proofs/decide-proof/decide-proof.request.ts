/** The body of `POST /proofs/{id}/decision` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export class ProofDecisionBody {
  @ApiProperty({ enum: ['approve', 'approved', 'reject', 'rejected'] })
  @IsIn(['approve', 'approved', 'reject', 'rejected'])
  decision!: 'approve' | 'approved' | 'reject' | 'rejected';

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
