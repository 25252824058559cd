/**
 * Finding a payment for a route: its id is resolved to its escrow through the `payments` read
 * model (an immutable fact), with the party rule applied; every decision is then taken on the
 * escrow stream, where the payment is read again.
 */
import { Inject, Injectable } from '@nestjs/common';
import { escrowDecider, type EscrowState, type PaymentState } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { checkParty } from '../../escrows/shared/escrow-access';
import { ApiError } from '../../http/api-error';
import { type PaymentRead, paymentStateView } from './payments.view';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';

export const paymentNotFound = () => new ApiError(404, 'PAYMENT_NOT_FOUND', 'Payment not found.');

export interface PaymentOnStream {
  state: EscrowState;
  payment: PaymentState;
}

@Injectable()
export class PaymentLookup {
  constructor(
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    private readonly commands: CommandRunner,
  ) {}

  /** The payment's row and its escrow's scale, with the party rule applied. */
  async find(actor: Actor, id: string) {
    const row = await this.db
      .selectFrom('payments')
      .innerJoin('escrows', 'escrows.id', 'payments.escrow_id')
      .selectAll('payments')
      .select(['escrows.scale', 'escrows.client_id', 'escrows.provider_id'])
      .where('payments.id', '=', id)
      .executeTakeFirst();
    if (!row) throw paymentNotFound();
    checkParty(actor, { clientId: row.client_id, providerId: row.provider_id });
    return { row, scale: row.scale as number };
  }

  /** The payment as its escrow stream has it now. */
  async onStream(escrowId: string, paymentId: string): Promise<PaymentOnStream> {
    const { state } = await this.commands.read(`escrow-${escrowId}`, escrowDecider);
    const payment = state.payments.find((p) => p.paymentId === paymentId);
    if (!payment) throw paymentNotFound();
    return { state, payment };
  }

  /** The payment's view as its escrow stream has it now. */
  async view(escrowId: string, paymentId: string): Promise<PaymentRead> {
    const { state, payment } = await this.onStream(escrowId, paymentId);
    return paymentStateView(state, payment);
  }
}
