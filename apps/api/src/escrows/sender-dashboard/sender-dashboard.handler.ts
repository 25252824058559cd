/**
 * The sender's dashboard from the read models only (escrows, proofs, payments), each list keyed
 * by the escrow's client: the caller's own user, never a parameter.
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { userOf } from '../../auth/access.guard';
import { paymentRowView } from '../../payments/shared/payments.view';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { proofRowView } from '../../proofs/shared/proofs.view';
import { EscrowReader } from '../shared/escrow-reader';
import { escrowRowView } from '../shared/escrows.view';
import { GetSenderDashboardQuery } from './sender-dashboard.query';
import type { SenderDashboard } from './sender-dashboard.view';

@QueryHandler(GetSenderDashboardQuery)
export class GetSenderDashboardHandler implements IQueryHandler<GetSenderDashboardQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    private readonly escrowReader: EscrowReader,
  ) {}

  async execute({ actor, limit }: GetSenderDashboardQuery): Promise<SenderDashboard> {
    const clientId = userOf(actor);
    const [escrows, proofs, payments] = await Promise.all([
      this.db
        .selectFrom('escrows')
        .selectAll()
        .where('client_id', '=', clientId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
      this.db
        .selectFrom('proofs')
        .selectAll()
        .where('client_id', '=', clientId)
        .where('status', '=', 'PENDING')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
      this.db
        .selectFrom('payments')
        .innerJoin('escrows', 'escrows.id', 'payments.escrow_id')
        .selectAll('payments')
        .select('escrows.scale')
        .where('escrows.client_id', '=', clientId)
        .orderBy('payments.initiated_at', 'desc')
        .orderBy('payments.id', 'desc')
        .limit(limit)
        .execute(),
    ]);
    const parties = await this.escrowReader.partiesOfRows(escrows);
    return {
      recent_escrows: escrows.map((r) => escrowRowView(r, parties)),
      pending_proofs: proofs.map(proofRowView),
      recent_payments: payments.map((p) => paymentRowView(p, p.scale)),
    };
  }
}
