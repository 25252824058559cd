/**
 * Opening an escrow: a sender may only open one as its own client; client and provider must
 * exist; the GOV/ONG rule for public and aid escrows is the decider's, on the client's tag read
 * here. The escrow's id is derived from the request's idempotency key when there is one.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { escrowDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { userOf } from '../../auth/access.guard';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { Currencies } from '../../platform/currencies';
import { EscrowReader } from '../shared/escrow-reader';
import { type EscrowRead, escrowStateView } from '../shared/escrows.view';
import { CreateEscrowCommand } from './create-escrow.command';

@CommandHandler(CreateEscrowCommand)
export class CreateEscrowHandler implements ICommandHandler<CreateEscrowCommand> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly escrows: EscrowReader,
    private readonly currencies: Currencies,
  ) {}

  async execute({ origin, escrow }: CreateEscrowCommand): Promise<Committed<EscrowRead>> {
    const { actor } = origin;
    if (actor.kind === 'api_key' && actor.scope === 'sender' && userOf(actor) !== escrow.clientId) {
      throw new ApiError(403, 'NOT_OWNER', 'client_id must be your own user');
    }
    const total = this.currencies.parse(escrow.amountTotal, escrow.currency, 'amount_total');
    const [client, provider] = await Promise.all([
      this.escrows.user(escrow.clientId),
      this.escrows.user(escrow.providerId),
    ]);
    const metadata = origin.metadata('optional');
    const result = await this.commands.executeWithDerivedId({
      decider: escrowDecider,
      metadata,
      targetStream: (id) => `escrow-${id}`,
      command: (id) => ({
        type: 'CreateEscrow' as const,
        escrowId: id,
        clientId: client.userId,
        providerId: provider.userId,
        amountTotal: total.toString(),
        currency: total.currency,
        scale: total.scale,
        releaseConditions: escrow.releaseConditions,
        deadlineAt: escrow.deadlineAt,
        domain: escrow.domain,
        clientPublicTag: client.publicTag,
        now: metadata.now.toISOString(),
      }),
    });
    return new Committed(escrowStateView(result.state), result.position);
  }
}
