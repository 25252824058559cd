/**
 * A deposit: only the escrow's client, an amount in the escrow's currency; the intent is
 * recorded before the PSP is asked and its answer after (payments/shared/deposits.ts). The
 * escrow stream's queue is held from the read that authorizes the deposit to the PSP's answer,
 * so deposits on one escrow never race in this process. That read is the cached state when this
 * process has one (the initiation's append is conditional on its revision); a refusal is made
 * only on the stream as read.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { copyWith } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import type { PaymentServices } from '../../payments/shared';
import { Currencies } from '../../platform/currencies';
import { PAYMENTS } from '../../tokens';
import { checkParty } from '../shared/escrow-access';
import { EscrowReader } from '../shared/escrow-reader';
import { type DepositAnswer, DepositCommand } from './deposit.command';

@CommandHandler(DepositCommand)
export class DepositHandler implements ICommandHandler<DepositCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly currencies: Currencies,
    private readonly escrows: EscrowReader,
  ) {}

  async execute({ origin, escrowId, amount }: DepositCommand): Promise<Committed<DepositAnswer>> {
    const metadata = origin.metadata('required');
    const { deposits } = this.payments;
    const recorded = await this.commands.exclusive(`escrow-${escrowId}`, async (hold) => {
      const { escrow, checked: money } = await deposits.escrowChecked(escrowId, (e) => {
        checkParty(origin.actor, e, 'client');
        return this.currencies.parse(amount, e.currency, 'amount');
      });
      return deposits.record(escrow, money, metadata, hold);
    });
    const result = await deposits.finish(escrowId, recorded, metadata);
    return new Committed(
      copyWith(await this.escrows.view(result.state), { deposit: result.deposit }),
      result.position,
    );
  }
}
