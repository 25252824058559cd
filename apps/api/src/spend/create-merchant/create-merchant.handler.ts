/**
 * A merchant: its name claimed in the creating append; whether its category exists is read from
 * the category's stream and decided by the merchant decider (404 CATEGORY_NOT_FOUND).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { merchantDecider } from '@kob/domain';
import { Committed } from '../../http/committed';
import { type MerchantRead, merchantStateView } from '../shared/catalogue.view';
import { categoryExists, createUnique } from '../shared/catalogue-streams';
import { CreateMerchantCommand } from './create-merchant.command';
import { CatalogueHandler } from '../shared/catalogue-handler';

@CommandHandler(CreateMerchantCommand)
export class CreateMerchantHandler
  extends CatalogueHandler
  implements ICommandHandler<CreateMerchantCommand>
{
  async execute({ origin, body }: CreateMerchantCommand): Promise<Committed<MerchantRead>> {
    const metadata = origin.metadata('optional');
    const categoryId = body.category_id ? body.category_id.toLowerCase() : null;
    const inCatalogue = categoryId !== null && (await categoryExists(this.commands, categoryId));
    const result = await createUnique(this.commands, this.reservations, metadata, {
      decider: merchantDecider,
      category: 'merchant',
      reservation: 'merchant-name',
      value: body.name,
      field: 'name',
      taken: { code: 'MERCHANT_EXISTS', message: 'A merchant with this name already exists.' },
      command: (id) => ({
        type: 'CreateMerchant' as const,
        merchantId: id,
        name: body.name,
        categoryId,
        categoryExists: inCatalogue,
        isCertified: body.is_certified ?? false,
        now: metadata.now.toISOString(),
      }),
    });
    return new Committed(merchantStateView(result.state), result.position);
  }
}
