/**
 * A deposit: only the escrow's client, an amount in the escrow's currency; the intent is
 * recorded before the PSP is asked and its answer after (payments/shared/deposits.ts). The
 * escrow stream's queue is held from the read that authorizes the deposit to the PSP's answer,
 * so deposits on one escrow never race in this process.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Money } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import type { PaymentServices } from '../../payments/shared';
import { PAYMENTS } from '../../tokens';
import { checkParty } from '../shared/escrow-access';
import { escrowStateView } from '../shared/escrows.view';
import { type DepositAnswer, DepositCommand } from './deposit.command';

@CommandHandler(DepositCommand)
export class DepositHandler implements ICommandHandler<DepositCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ origin, escrowId, amount }: DepositCommand): Promise<Committed<DepositAnswer>> {
    const metadata = origin.metadata('required');
    const { deposits } = this.payments;
    const recorded = await this.commands.exclusive(`escrow-${escrowId}`, async () => {
      const escrow = await deposits.escrow(escrowId);
      checkParty(origin.actor, escrow, 'client');
      const money = Money.parse(amount, escrow.currency, this.config.currencies, 'amount');
      return deposits.record(escrow, money, metadata);
    });
    const result = await deposits.finish(escrowId, recorded, metadata);
    return new Committed(
      { ...escrowStateView(result.state), deposit: result.deposit },
      result.position,
    );
  }
}
