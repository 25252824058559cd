/**
 * A usage mandate: a sender key only for its own user, a total greater than 0, an expiry read
 * as UTC unless it names its zone; then decided on the `mandate-{id}` stream with the claim of
 * its (sender, beneficiary, currency) slot (mandates/shared/mandate-services.ts).
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { parseInstantNaiveUtc } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { senderUser } from '../shared/mandate-access';
import { type UsageMandateRead, mandateStateView } from '../shared/mandate.view';
import { positiveAmount } from '../shared/positive-amount';
import { CreateMandateCommand } from './create-mandate.command';
import { MandateCommandHandler } from '../shared/mandate-handler';

@CommandHandler(CreateMandateCommand)
export class CreateMandateHandler
  extends MandateCommandHandler
  implements ICommandHandler<CreateMandateCommand>
{
  async execute({ origin, body }: CreateMandateCommand): Promise<Committed<UsageMandateRead>> {
    const senderId = body.sender_id.toLowerCase();
    const me = senderUser(origin.actor);
    if (me !== null && me !== senderId) {
      throw new ApiError(403, 'NOT_OWNER', 'sender_id must be your own user');
    }
    const { currencies } = this.config;
    const total = positiveAmount(body.total_amount, body.currency, currencies, 'total_amount');
    const metadata = origin.metadata('optional');
    const result = await this.mandates.create(
      {
        senderId,
        beneficiaryId: body.beneficiary_id.toLowerCase(),
        total,
        allowedCategoryId: body.allowed_category_id?.toLowerCase() ?? null,
        allowedMerchantId: body.allowed_merchant_id?.toLowerCase() ?? null,
        expiresAt: utcInstant(body.expires_at),
      },
      metadata,
    );
    return new Committed(mandateStateView(result.state), result.position);
  }
}

/**
 * An ISO-8601 instant (`parseInstant`: calendar-checked, years 0001–9999 in UTC); one without an
 * offset is UTC (as in the old service), never local time. Anything else is a 422.
 */
function utcInstant(value: string): string {
  const ms = parseInstantNaiveUtc(value);
  if (Number.isNaN(ms)) {
    throw new ApiError(422, 'VALIDATION_ERROR', 'expires_at is not a valid instant', {
      fields: {
        expires_at: [
          'must be an ISO 8601 date-time YYYY-MM-DDTHH:MM[:SS], UTC unless it names its zone, up to year 9999',
        ],
      },
    });
  }
  return new Date(ms).toISOString();
}
