/**
 * A purchase, decided on the mandate's stream (mandates/shared/mandate-services.ts). A retry
 * with the same key answers with the first purchase, whatever became of the mandate since; then
 * only the sender or the beneficiary (for a sender key) may buy, an amount greater than 0.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { senderUser } from '../../mandates/shared/mandate-access';
import { positiveAmount } from '../../mandates/shared/positive-amount';
import { type PurchaseRead, purchaseEventView } from '../shared/purchase.view';
import { CreatePurchaseCommand } from './create-purchase.command';
import { MandateCommandHandler } from '../../mandates/shared/mandate-handler';

@CommandHandler(CreatePurchaseCommand)
export class CreatePurchaseHandler
  extends MandateCommandHandler
  implements ICommandHandler<CreatePurchaseCommand>
{
  async execute({ origin, body }: CreatePurchaseCommand): Promise<Committed<PurchaseRead>> {
    const metadata = origin.metadata('required');
    // First the replay: a retry finds its first purchase even if the mandate is gone since.
    const first = await this.mandates.replayedPurchase(metadata);
    if (first) return new Committed(purchaseEventView(first.purchase), first.position);
    const senderId = body.sender_id.toLowerCase();
    const beneficiaryId = body.beneficiary_id?.toLowerCase() ?? senderId;
    const me = senderUser(origin.actor);
    if (me !== null && me !== senderId && me !== beneficiaryId) {
      throw new ApiError(
        403,
        'NOT_OWNER',
        "you are neither this purchase's sender nor its beneficiary",
      );
    }
    const amount = positiveAmount(body.amount, body.currency, this.config.currencies, 'amount');
    const result = await this.mandates.purchase(
      {
        senderId,
        beneficiaryId,
        merchantId: body.merchant_id.toLowerCase(),
        amount,
        categoryId: body.category_id?.toLowerCase() ?? null,
      },
      metadata,
    );
    return new Committed(purchaseEventView(result.purchase), result.position);
  }
}
