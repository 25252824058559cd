/** The body of `POST /spend/allow` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, ValidateIf } from 'class-validator';

/** Exactly one of `merchant_id` / `category_id` (checked by the decider: 422 otherwise). */
export class AllowUsageBody {
  @ApiProperty({ format: 'uuid', description: 'The user allowed (a mandate beneficiary)' })
  @IsUUID()
  owner_id!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  merchant_id?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  category_id?: string | null;
}
