/**
 * Allowing a payee: the escrow must exist, the limits are amounts in its currency. The escrow is
 * chosen by the body: the key is claimed as an `idem-…` reservation recording the request
 * (API-RULES.md §4), so the same key naming another escrow is refused.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { escrowDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { Currencies } from '../../platform/currencies';
import { EscrowReader } from '../shared/escrow-reader';
import { type PayeeRead, payeeView } from '../shared/payees.view';
import { AllowPayeeCommand } from './allow-payee.command';

@CommandHandler(AllowPayeeCommand)
export class AllowPayeeHandler implements ICommandHandler<AllowPayeeCommand> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly escrows: EscrowReader,
    private readonly currencies: Currencies,
  ) {}

  async execute({ origin, escrowId, payee }: AllowPayeeCommand): Promise<Committed<PayeeRead>> {
    const escrow = await this.escrows.stateOf(escrowId);
    const limit = (value: string | null, field: string) =>
      value === null ? null : this.currencies.parse(value, escrow.currency, field).toString();
    const metadata = origin.metadata('optional');
    const now = metadata.now.toISOString();
    const dailyLimit = limit(payee.dailyLimit, 'daily_limit');
    const totalLimit = limit(payee.totalLimit, 'total_limit');
    const result = await this.commands.executeWithDerivedId({
      decider: escrowDecider,
      targetStream: () => `escrow-${escrowId}`,
      queueOn: 'target',
      command: () => ({
        type: 'AllowPayee' as const,
        escrowId,
        payeeRef: payee.payeeRef,
        label: payee.label,
        dailyLimit,
        totalLimit,
        now,
      }),
      metadata,
    });
    const allowed = result.state.payees.find((p) => p.payeeRef === payee.payeeRef)!;
    return new Committed(payeeView(result.state, allowed, now), result.position);
  }
}
