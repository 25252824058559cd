/** The optional body of client-approve and client-reject (the old service's `{note?, proof_url?}`). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ClientDecisionBody {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ maxLength: 2048, description: 'accepted for compatibility; not stored' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  proof_url?: string;
}
