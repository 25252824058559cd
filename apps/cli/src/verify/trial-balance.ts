/**
 * The ledger's trial balance (API-RULES.md §3): in each currency the accounts' debits add up to
 * their credits, and each account's totals are the sums of the journal entries that name it.
 * Each check is one statement, so it reads one snapshot even while the ledger projector writes
 * (it writes entries and account totals in one transaction).
 */
import Big from 'big.js';
import { sql } from 'kysely';
import type { Platform } from '@kob/platform';
import type { Break } from './chains';

export interface TrialBalance {
  currencies: number;
  accounts: number;
  breaks: Break[];
}

async function unbalancedCurrencies(platform: Platform) {
  const rows = await sql<{ currency: string; debits: string; credits: string; accounts: number }>`
    SELECT currency, sum(debits)::text AS debits, sum(credits)::text AS credits, count(*)::int AS accounts
    FROM ledger_accounts GROUP BY currency ORDER BY currency`.execute(platform.db);
  return rows.rows;
}

/** Accounts whose totals are not the sums of their entries (or entries naming no account). */
async function accountsOffTheJournal(platform: Platform) {
  const rows = await sql<{
    account: string;
    debits: string | null;
    credits: string | null;
    journal_debits: string;
    journal_credits: string;
  }>`
    WITH journal AS (
      SELECT debit_account AS account, amount AS debit, 0::numeric AS credit FROM ledger_entries
      UNION ALL
      SELECT credit_account, 0::numeric, amount FROM ledger_entries),
    totals AS (SELECT account, sum(debit) AS debits, sum(credit) AS credits FROM journal GROUP BY account)
    SELECT coalesce(a.account, t.account) AS account, a.debits::text AS debits, a.credits::text AS credits,
           coalesce(t.debits, 0)::text AS journal_debits, coalesce(t.credits, 0)::text AS journal_credits
    FROM ledger_accounts a FULL JOIN totals t ON t.account = a.account
    WHERE a.account IS NULL OR a.debits <> coalesce(t.debits, 0) OR a.credits <> coalesce(t.credits, 0)
    ORDER BY 1 LIMIT 1`.execute(platform.db);
  return rows.rows;
}

export async function checkTrialBalance(platform: Platform): Promise<TrialBalance> {
  const currencies = await unbalancedCurrencies(platform);
  const breaks: Break[] = [];
  for (const c of currencies) {
    if (!new Big(c.debits).eq(c.credits))
      breaks.push({
        check: 'ledger',
        subject: c.currency,
        revision: null,
        reason: `trial balance: debits ${c.debits} ≠ credits ${c.credits}`,
      });
  }
  for (const a of await accountsOffTheJournal(platform)) {
    breaks.push({
      check: 'ledger',
      subject: a.account,
      revision: null,
      reason:
        a.debits === null
          ? `journal entries name an account that does not exist`
          : `account totals debits ${a.debits} credits ${a.credits}, its entries ${a.journal_debits} and ${a.journal_credits}`,
    });
  }
  const accounts = currencies.reduce((n, c) => n + c.accounts, 0);
  return { currencies: currencies.length, accounts, breaks };
}
