/** Request bodies of the spend catalogue routes (validated; unknown fields refused). */
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
import { VISIBLE_TEXT } from '../identity/identity-text';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const INVISIBLE_MESSAGE = 'must not contain control or invisible characters';

export class CreateCategoryBody {
  @ApiProperty({
    example: 'FOOD',
    maxLength: spendLimits.categoryCodeLengthMax,
    description: 'unique, case-insensitively',
  })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'code must not be blank' })
  @MaxLength(spendLimits.categoryCodeLengthMax)
  @Matches(VISIBLE_TEXT, { message: `code ${INVISIBLE_MESSAGE}` })
  code!: string;

  @ApiProperty({ example: 'Food and groceries', maxLength: spendLimits.categoryLabelLengthMax })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'label must not be blank' })
  @MaxLength(spendLimits.categoryLabelLengthMax)
  @Matches(VISIBLE_TEXT, { message: `label ${INVISIBLE_MESSAGE}` })
  label!: string;
}

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
