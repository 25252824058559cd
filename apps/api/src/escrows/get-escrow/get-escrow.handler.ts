/**
 * `GET /escrows/{id}`: the read model's row, for a party or staff. With `as_of` (auditors and
 * admin only), the escrow folded from its stream up to that cut (`HistoryCut`, the rule of the
 * CLI's `replay --as-of`): a malformed cut is a 422 naming `as_of`; a cut before the escrow's
 * first event is its 404; a cut after its last event answers the escrow as it is now.
 */
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { type HistoryCut, parseHistoryCut } from '@kob/event-store';
import type { Actor, Scope } from '@kob/kernel';
import { checkScope } from '../../auth/access.guard';
import { ApiError } from '../../http/api-error';
import { EscrowReader } from '../shared/escrow-reader';
import {
  type EscrowAsOfRead,
  type EscrowRead,
  escrowAsOfView,
  escrowRowView,
} from '../shared/escrows.view';
import { GetEscrowQuery } from './get-escrow.query';

/** Who may look back in an escrow's history (admin passes every scope check). */
const AS_OF_SCOPES: readonly Scope[] = ['auditor', 'admin'];

/** The cut `as_of` names, or 422 VALIDATION_ERROR naming it. */
function historyCut(asOf: string): HistoryCut {
  const cut = parseHistoryCut(asOf);
  if (cut) return cut;
  throw new ApiError(422, 'VALIDATION_ERROR', 'the request is not valid', {
    fields: { as_of: ['as_of must be a position token or an ISO-8601 time with a zone'] },
  });
}

@QueryHandler(GetEscrowQuery)
export class GetEscrowHandler implements IQueryHandler<GetEscrowQuery> {
  constructor(private readonly escrows: EscrowReader) {}

  async execute({ actor, escrowId, asOf }: GetEscrowQuery): Promise<EscrowRead> {
    if (asOf === undefined) {
      const row = await this.escrows.row(actor, escrowId);
      return escrowRowView(row, await this.escrows.partiesOfRows([row]));
    }
    return this.asOf(actor, escrowId, asOf);
  }

  private async asOf(actor: Actor, escrowId: string, asOf: string): Promise<EscrowAsOfRead> {
    // Before anything is parsed or read: a caller who may not look back learns nothing.
    checkScope(actor, AS_OF_SCOPES, 'to read an escrow as_of a point of its history');
    const found = await this.escrows.stateAt(escrowId, historyCut(asOf));
    if (!found)
      throw new ApiError(404, 'ESCROW_NOT_FOUND', `Escrow not found as of ${asOf}.`, {
        as_of: asOf,
      });
    return escrowAsOfView(found.state, asOf, found.last, await this.escrows.parties([found.state]));
  }
}
