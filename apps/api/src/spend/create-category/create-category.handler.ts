/** A category: its code claimed in the creating append (Idempotency-Key honoured if present). */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { spendCategoryDecider } from '@kob/domain';
import { Committed } from '../../http/committed';
import { type CategoryRead, categoryStateView } from '../shared/catalogue.view';
import { createUnique } from '../shared/catalogue-streams';
import { CreateCategoryCommand } from './create-category.command';
import { CatalogueHandler } from '../shared/catalogue-handler';

@CommandHandler(CreateCategoryCommand)
export class CreateCategoryHandler
  extends CatalogueHandler
  implements ICommandHandler<CreateCategoryCommand>
{
  async execute({ origin, body }: CreateCategoryCommand): Promise<Committed<CategoryRead>> {
    const metadata = origin.metadata('optional');
    const result = await createUnique(this.commands, this.reservations, metadata, {
      decider: spendCategoryDecider,
      category: 'spend_category',
      reservation: 'spend-category-code',
      value: body.code,
      field: 'code',
      taken: { code: 'CATEGORY_EXISTS', message: 'A category with this code already exists.' },
      command: (id) => ({
        type: 'CreateSpendCategory' as const,
        categoryId: id,
        code: body.code,
        label: body.label,
        now: metadata.now.toISOString(),
      }),
    });
    return new Committed(categoryStateView(result.state), result.position);
  }
}
