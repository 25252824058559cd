/** The body of `POST /spend/merchants` (validated; unknown fields refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { spendLimits } from '@kob/domain';
import { NullableUuidField } from '../../mandates/shared/request-fields';
import { CatalogueText } from '../shared/catalogue-fields';

export class CreateMerchantBody {
  @CatalogueText('name', spendLimits.merchantNameLengthMax, {
    example: 'Corner Bakery',
    description: 'unique, case-insensitively',
  })
  name!: string;

  @NullableUuidField()
  category_id?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  is_certified?: boolean;
}
