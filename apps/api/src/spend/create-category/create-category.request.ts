/** The body of `POST /spend/categories` (validated; unknown fields refused). */
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { spendLimits } from '@kob/domain';
import { VISIBLE_TEXT } from '../../identity/identity-text';
import { INVISIBLE_MESSAGE, trim } from '../shared/catalogue-fields';

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
