import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { type EscrowState, escrowActionOptions } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import {
  CLOCK,
  type Clock,
  READ_MODELS,
  type ReadModelsDb,
} from '../../platform/platform.providers';
import { type ProofRead, proofRowView, proofStateView } from '../../proofs/shared/proofs.view';
import { EscrowReader } from '../shared/escrow-reader';
import { type EscrowSummary, escrowSummaryView } from '../shared/escrows.view';
import { GetEscrowSummaryQuery } from './get-escrow-summary.query';
import { holderRoles, mayAct, viewerContext } from './viewer-context';

/** The actions open on the escrow now that `actor` may take (its scope, its role in the escrow). */
function allowedActions(actor: Actor, escrow: EscrowState, now: string): string[] {
  const userId = actor.kind === 'api_key' ? actor.userId : null;
  const roles = holderRoles(actor, userId === escrow.clientId, userId === escrow.providerId);
  return escrowActionOptions(escrow, now)
    .filter((o) => mayAct(roles, o.role))
    .map((o) => o.action);
}

@QueryHandler(GetEscrowSummaryQuery)
export class GetEscrowSummaryHandler implements IQueryHandler<GetEscrowSummaryQuery> {
  constructor(
    private readonly escrows: EscrowReader,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, escrowId }: GetEscrowSummaryQuery): Promise<EscrowSummary> {
    const escrow = await this.escrows.state(actor, escrowId);
    const now = this.clock.now().toISOString();
    return escrowSummaryView(escrow, {
      parties: await this.escrows.parties([escrow]),
      proofs: await this.proofs(escrow),
      allowedActions: allowedActions(actor, escrow, now),
      viewerContext: viewerContext(actor, escrow, now),
    });
  }

  /**
   * The escrow's proofs, oldest first: the stream says which there are (as for the rest of the
   * summary), the read model gives each its full answer; a proof the projection has not reached
   * yet is answered as the stream knows it rather than left out.
   */
  private async proofs(escrow: EscrowState): Promise<ProofRead[]> {
    if (escrow.proofs.length === 0) return [];
    const rows = await this.db
      .selectFrom('proofs')
      .selectAll()
      .where('escrow_id', '=', escrow.escrowId)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return escrow.proofs
      .map((p) => {
        const row = byId.get(p.proofId);
        return row ? proofRowView(row) : proofStateView(escrow, p);
      })
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }
}
