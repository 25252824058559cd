/**
 * A usage spend: only the escrow's client, an amount in the escrow's currency. It is initiated
 * on the escrow stream (the payee, its limits and the balance decided together), then sent
 * through the PSP. A spend refused by a rule raises one alert (`USAGE_*`, API-RULES.md §6) and
 * nothing else, then answers its error; the same request replayed raises no second alert.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { AlertType, EscrowState } from '@kob/domain';
import { DomainError } from '@kob/kernel';
import { type CommandMetadata, raiseAlert, rejectionCause } from '@kob/platform';
import { Committed, CommittedRefusal, type CommittedResult } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { Currencies } from '../../platform/currencies';
import { EVENT_STORE, type EventStore } from '../../platform/platform.providers';
import type { PaymentServices } from '../../payments/shared';
import { PAYMENTS } from '../../tokens';
import { EscrowReader } from '../shared/escrow-reader';
import { SpendUsageCommand, type UsageSpend } from './spend-usage.command';
import { type SpendRead, spendView } from './spend-usage.view';

/** The alert each spend rule's refusal raises (API-RULES.md §6). */
const SPEND_ALERTS: Readonly<Record<string, AlertType>> = {
  PAYEE_NOT_ALLOWED: 'USAGE_PAYEE_FORBIDDEN',
  DAILY_LIMIT_REACHED: 'USAGE_DAILY_LIMIT_REJECTED',
  TOTAL_LIMIT_REACHED: 'USAGE_TOTAL_LIMIT_REJECTED',
  INSUFFICIENT_ESCROW_BALANCE: 'USAGE_BALANCE_REJECTED',
  ESCROW_CLOSED: 'USAGE_ESCROW_CLOSED',
};

/** What a refused spend's alert says. */
interface Refused {
  origin: CommandOrigin;
  escrow: EscrowState;
  spend: UsageSpend;
  amount: string;
  metadata: CommandMetadata;
}

@CommandHandler(SpendUsageCommand)
export class SpendUsageHandler implements ICommandHandler<SpendUsageCommand> {
  constructor(
    private readonly escrows: EscrowReader,
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly currencies: Currencies,
  ) {}

  async execute(command: SpendUsageCommand): Promise<CommittedResult<SpendRead>> {
    const { origin, escrowId, spend } = command;
    const escrow = await this.escrows.state(origin.actor, escrowId, 'client');
    const amount = this.currencies.parse(spend.amount, escrow.currency, 'amount').toString();
    const metadata = origin.metadata('required');
    const now = metadata.now.toISOString();
    let result;
    try {
      result = await this.payments.actions.runDerived(
        escrowId,
        (paymentId) => ({
          type: 'Spend',
          escrowId,
          paymentId,
          payeeRef: spend.payeeRef,
          amount,
          note: spend.note,
          now,
        }),
        metadata,
      );
    } catch (err) {
      const refusal = await this.alertOnRefusal(err, { origin, escrow, spend, amount, metadata });
      if (refusal) return refusal;
      throw err;
    }
    const payment = result.state.payments.find((p) => p.paymentId === result.paymentIds[0]);
    if (!payment) throw new Error(`spend ${result.id} answered without its payment`);
    return new Committed(spendView(result.state, payment, spend.note), result.position);
  }

  /** A rule's refusal raises its one alert (a replay names the same alert: none more). */
  private async alertOnRefusal(
    err: unknown,
    { origin, escrow, spend, amount, metadata }: Refused,
  ): Promise<CommittedRefusal | null> {
    if (!(err instanceof DomainError)) return null;
    const type = SPEND_ALERTS[err.code];
    if (!type) return null;
    const { actor } = origin;
    const { position } = await raiseAlert(
      { store: this.store },
      {
        type,
        message: `Usage spend refused: ${err.message}`,
        actorUserId: actor.kind === 'api_key' ? actor.userId : null,
        payload: {
          escrow_id: escrow.escrowId,
          payee_ref: spend.payeeRef,
          amount,
          currency: escrow.currency,
          code: err.code,
        },
        cause: rejectionCause('usage-spend', metadata),
      },
      metadata,
    );
    // Visible at GET /alerts by the time the refusal is answered (read-your-writes).
    return new CommittedRefusal(err, position);
  }
}
