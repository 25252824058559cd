import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { type EscrowState, escrowActionOptions } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import { CLOCK, type Clock } from '../../platform/platform.providers';
import { EscrowReader } from '../shared/escrow-reader';
import { type EscrowSummary, escrowSummaryView } from '../shared/escrows.view';
import { GetEscrowSummaryQuery } from './get-escrow-summary.query';

/** The actions open on the escrow now that `actor` may take (its scope, its role in the escrow). */
function allowedActions(actor: Actor, escrow: EscrowState, now: string): string[] {
  const userId = actor.kind === 'api_key' ? actor.userId : null;
  const scope = actor.kind === 'system' ? null : actor.scope;
  const isClient = userId === escrow.clientId;
  const isProvider = userId === escrow.providerId;
  return escrowActionOptions(escrow, now)
    .filter((o) => {
      if (scope === 'admin') return true;
      if (o.role === 'party_or_support' && scope === 'support') return true;
      if (scope !== 'sender') return false;
      return o.role === 'client'
        ? isClient
        : o.role === 'provider'
          ? isProvider
          : isClient || isProvider;
    })
    .map((o) => o.action);
}

@QueryHandler(GetEscrowSummaryQuery)
export class GetEscrowSummaryHandler implements IQueryHandler<GetEscrowSummaryQuery> {
  constructor(
    private readonly escrows: EscrowReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, escrowId }: GetEscrowSummaryQuery): Promise<EscrowSummary> {
    const escrow = await this.escrows.state(actor, escrowId);
    return escrowSummaryView(escrow, allowedActions(actor, escrow, this.clock.now().toISOString()));
  }
}
