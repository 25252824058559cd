/** The body of `POST /spend/categories` (validated; unknown fields refused). */
import { spendLimits } from '@kob/domain';
import { CatalogueText } from '../shared/catalogue-fields';

export class CreateCategoryBody {
  @CatalogueText('code', spendLimits.categoryCodeLengthMax, {
    example: 'FOOD',
    description: 'unique, case-insensitively',
  })
  code!: string;

  @CatalogueText('label', spendLimits.categoryLabelLengthMax, { example: 'Food and groceries' })
  label!: string;
}
