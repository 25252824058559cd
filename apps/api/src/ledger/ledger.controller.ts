/**
 * The double-entry ledger over HTTP (API-RULES.md §1, §3), read from the ledger read model:
 * one account with its balance and a page of its entries and the trial balance per currency for
 * support and auditors; an escrow's entries and held balance for its parties too. Entries are
 * listed oldest first ($all order). Nothing here decides anything about money.
 */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { type Actor, Money } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { LEDGER_ACCOUNT_LENGTH_MAX, escrowHeldAccount, parseLedgerAccount } from '@kob/projections';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { checkParty } from '../escrows/escrow-access';
import { ApiError } from '../http/api-error';
import { atScale } from '../http/formats';
import { PageQuery } from '../http/pagination';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import { EscrowLedgerView, LedgerAccountView, TrialBalanceView } from './ledger.dto';
import { accountView, currencyScale, findAccount, listEntries, trialBalance } from './ledger.query';

const escrowNotFound = () => new ApiError(404, 'ESCROW_NOT_FOUND', 'Escrow not found.');
const accountNotFound = () =>
  new ApiError(404, 'LEDGER_ACCOUNT_NOT_FOUND', 'Ledger account not found.');

const ACCOUNT_GRAMMAR =
  'psp:cash:{CUR}, escrow:{escrow_id}:held:{CUR}, provider:{user_id}:payable:{CUR}, ' +
  'client:{user_id}:refundable:{CUR}, payee:{escrow_id}:{ref}:payable:{CUR}';

@ApiTags('ledger')
@ApiSecurity('X-API-Key')
@Controller()
export class LedgerController {
  constructor(@Inject(PLATFORM) private readonly platform: Platform) {}

  @Get('ledger/accounts/:account')
  @Access('support', 'auditor')
  @ApiOkResponse({
    type: LedgerAccountView,
    description: 'The account and its entries, oldest first',
  })
  @ApiUnprocessableEntityResponse({ description: 'VALIDATION_ERROR: not an account id' })
  @ApiNotFoundResponse({ description: 'LEDGER_ACCOUNT_NOT_FOUND: no entry ever posted to it' })
  async account(
    @Param('account') account: string,
    @Query() page: PageQuery,
  ): Promise<LedgerAccountView> {
    // A malformed id is the caller's mistake, worth saying so; a well-formed one never posted to
    // is simply not there.
    if (!parseLedgerAccount(account)) {
      throw new ApiError(422, 'VALIDATION_ERROR', 'account is not a ledger account id', {
        fields: {
          account: [
            `must be one of ${ACCOUNT_GRAMMAR} (at most ${LEDGER_ACCOUNT_LENGTH_MAX} characters)`,
          ],
        },
      });
    }
    const row = await findAccount(this.platform.db, account);
    if (!row) throw accountNotFound();
    const scale = await currencyScale(this.platform.db, row.currency);
    const entries = await listEntries(this.platform.db, { account }, scale, page);
    return {
      ...accountView(row, scale),
      entries: { ...entries, limit: page.limit, offset: page.offset },
    };
  }

  @Get('ledger/trial-balance')
  @Access('support', 'auditor')
  @ApiOkResponse({ type: TrialBalanceView, description: 'Debits and credits per currency' })
  async trialBalance(): Promise<TrialBalanceView> {
    return { items: await trialBalance(this.platform.db) };
  }

  @Get('escrows/:id/ledger')
  @Access('sender', 'support', 'auditor')
  @ApiOkResponse({
    type: EscrowLedgerView,
    description: "The escrow's entries (oldest first) and held balance",
  })
  @ApiNotFoundResponse({ description: 'ESCROW_NOT_FOUND' })
  async escrowLedger(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Query() page: PageQuery,
  ): Promise<EscrowLedgerView> {
    const id = routeId(rawId, escrowNotFound);
    const escrow = await this.platform.db
      .selectFrom('escrows')
      .select(['id', 'client_id', 'provider_id', 'currency', 'scale'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!escrow) throw escrowNotFound();
    checkParty(actor, { clientId: escrow.client_id, providerId: escrow.provider_id });
    const currency = escrow.currency as string;
    const scale = Number(escrow.scale);
    const held = escrowHeldAccount(id, currency).id;
    const [account, entries] = await Promise.all([
      findAccount(this.platform.db, held),
      listEntries(this.platform.db, { escrowId: id }, scale, page),
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
