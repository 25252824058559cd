/**
 * A merchant: its name claimed in the creating append; whether its category exists is read from
 * the category's stream and decided by the merchant decider (404 CATEGORY_NOT_FOUND).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { merchantDecider } from '@kob/domain';
import { Committed } from '../../http/committed';
import { UniqueCreationHandler } from '../../platform/unique-creation';
import { type MerchantRead, merchantStateView } from '../shared/catalogue.view';
import { categoryExists } from '../shared/catalogue-streams';
import { CreateMerchantCommand } from './create-merchant.command';

@CommandHandler(CreateMerchantCommand)
export class CreateMerchantHandler
  extends UniqueCreationHandler
  implements ICommandHandler<CreateMerchantCommand>
{
  async execute({ origin, body }: CreateMerchantCommand): Promise<Committed<MerchantRead>> {
    const categoryId = body.category_id ? body.category_id.toLowerCase() : null;
    const inCatalogue = categoryId !== null && (await categoryExists(this.commands, categoryId));
    const result = await this.createUnique(origin, {
      decider: merchantDecider,
      unique: [{ reservation: 'merchant-name', field: 'name', value: body.name }],
      taken: {
        code: 'MERCHANT_EXISTS',
        message: () => 'A merchant with this name already exists.',
      },
      command: (id, now) => ({
        type: 'CreateMerchant' as const,
        merchantId: id,
        name: body.name,
        categoryId,
        categoryExists: inCatalogue,
        isCertified: body.is_certified ?? false,
        now,
      }),
    });
    return new Committed(merchantStateView(result.state), result.position);
  }
}
