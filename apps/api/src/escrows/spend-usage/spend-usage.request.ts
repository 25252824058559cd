/** The body of `POST /spend` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { payeeLimits } from '@kob/domain';
import { AmountField, OptionalOrNull } from '../../http/dto-fields';

export class SpendBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  escrow_id!: string;

  @ApiProperty({ maxLength: payeeLimits.payeeRefLengthMax })
  @IsString()
  @MinLength(1)
  @MaxLength(payeeLimits.payeeRefLengthMax)
  payee_ref!: string;

  @AmountField({ example: '12.50' })
  amount!: string;

  @ApiPropertyOptional({ maxLength: payeeLimits.noteLengthMax, nullable: true })
  @OptionalOrNull()
  @IsString()
  @MaxLength(payeeLimits.noteLengthMax)
  note?: string | null;
}
