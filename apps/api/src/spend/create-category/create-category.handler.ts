/** A category: its code claimed in the creating append (Idempotency-Key honoured if present). */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { spendCategoryDecider } from '@kob/domain';
import { Committed } from '../../http/committed';
import { UniqueCreationHandler } from '../../platform/unique-creation';
import { type CategoryRead, categoryStateView } from '../shared/catalogue.view';
import { CreateCategoryCommand } from './create-category.command';

@CommandHandler(CreateCategoryCommand)
export class CreateCategoryHandler
  extends UniqueCreationHandler
  implements ICommandHandler<CreateCategoryCommand>
{
  async execute({ origin, body }: CreateCategoryCommand): Promise<Committed<CategoryRead>> {
    const result = await this.createUnique(origin, {
      decider: spendCategoryDecider,
      unique: [{ reservation: 'spend-category-code', field: 'code', value: body.code }],
      taken: {
        code: 'CATEGORY_EXISTS',
        message: () => 'A category with this code already exists.',
      },
      command: (id, now) => ({
        type: 'CreateSpendCategory' as const,
        categoryId: id,
        code: body.code,
        label: body.label,
        now,
      }),
    });
    return new Committed(categoryStateView(result.state), result.position);
  }
}
