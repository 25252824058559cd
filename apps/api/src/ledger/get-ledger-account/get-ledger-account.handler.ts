/**
 * One account: a malformed id is the caller's mistake (422, worth saying so); a well-formed one
 * never posted to is simply not there (404).
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { LEDGER_ACCOUNT_LENGTH_MAX, parseLedgerAccount } from '@kob/projections';
import { ApiError } from '../../http/api-error';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { accountView, currencyScale, findAccount, listEntries } from '../shared/ledger-reads';
import type { LedgerAccountView } from '../shared/ledger.view';
import { GetLedgerAccountQuery } from './get-ledger-account.query';

const ACCOUNT_GRAMMAR =
  'psp:cash:{CUR}, escrow:{escrow_id}:held:{CUR}, provider:{user_id}:payable:{CUR}, ' +
  'client:{user_id}:refundable:{CUR}, payee:{escrow_id}:{ref}:payable:{CUR}';

@QueryHandler(GetLedgerAccountQuery)
export class GetLedgerAccountHandler implements IQueryHandler<GetLedgerAccountQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ account, page }: GetLedgerAccountQuery): Promise<LedgerAccountView> {
    if (!parseLedgerAccount(account)) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'account is not a ledger account id', {
        fields: {
          account: [
            `must be one of ${ACCOUNT_GRAMMAR} (at most ${LEDGER_ACCOUNT_LENGTH_MAX} characters)`,
          ],
        },
      });
    }
    const row = await findAccount(this.db, account);
    if (!row) throw new ApiError(404, 'LEDGER_ACCOUNT_NOT_FOUND', 'Ledger account not found.');
    const scale = await currencyScale(this.db, row.currency);
    const entries = await listEntries(this.db, { account }, scale, page);
    return {
      ...accountView(row, scale),
      entries: { ...entries, limit: page.limit, offset: page.offset },
    };
  }
}
