/** An escrow's entries (oldest first) and held balance: its parties, support and auditors. */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Money } from '@kob/kernel';
import { escrowHeldAccount } from '@kob/projections';
import { checkParty } from '../../escrows/shared/escrow-access';
import { escrowNotFound } from '../../escrows/shared/escrow-errors';
import { atScale } from '../../http/formats';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { findAccount, listEntries } from '../shared/ledger-reads';
import type { EscrowLedgerView } from '../shared/ledger.view';
import { GetEscrowLedgerQuery } from './get-escrow-ledger.query';

@QueryHandler(GetEscrowLedgerQuery)
export class GetEscrowLedgerHandler implements IQueryHandler<GetEscrowLedgerQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ actor, escrowId: id, page }: GetEscrowLedgerQuery): Promise<EscrowLedgerView> {
    const escrow = await this.db
      .selectFrom('escrows')
      .select(['id', 'client_id', 'provider_id', 'currency', 'scale'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!escrow) throw escrowNotFound();
    checkParty(actor, { clientId: escrow.client_id, providerId: escrow.provider_id });
    const { currency } = escrow;
    const scale = Number(escrow.scale);
    const held = escrowHeldAccount(id, currency).id;
    const [account, entries] = await Promise.all([
      findAccount(this.db, held),
      listEntries(this.db, { escrowId: id }, scale, page),
    ]);
    return {
      escrow_id: id,
      currency,
      held_account: held,
      // No account yet: nothing was ever deposited.
      held: account
        ? atScale(account.balance, currency, scale)
        : Money.zero(currency, scale).toString(),
      entries: { ...entries, limit: page.limit, offset: page.offset },
    };
  }
}
