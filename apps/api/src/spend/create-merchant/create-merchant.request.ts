/** The body of `POST /spend/merchants` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { spendLimits } from '@kob/domain';
import { VISIBLE_TEXT } from '../../identity/identity-text';
import { INVISIBLE_MESSAGE, trim } from '../shared/catalogue-fields';

export class CreateMerchantBody {
  @ApiProperty({
    example: 'Corner Bakery',
    maxLength: spendLimits.merchantNameLengthMax,
    description: 'unique, case-insensitively',
  })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must not be blank' })
  @MaxLength(spendLimits.merchantNameLengthMax)
  @Matches(VISIBLE_TEXT, { message: `name ${INVISIBLE_MESSAGE}` })
  name!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  category_id?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  is_certified?: boolean;
}

/** Exactly one of `merchant_id` / `category_id` (checked by the decider: 422 otherwise). */
