/**
 * The names of the ledger's accounts (API-RULES.md §3) and their grammar. Every account id ends
 * with its currency, so each currency is a ledger of its own: `psp:cash:USD` (the money the PSP
 * holds for us, an asset), `escrow:{E}:held:USD` (what an escrow holds), and what is owed out:
 * `provider:{P}:payable:USD`, `client:{C}:refundable:USD`, `payee:{E}:{ref}:payable:USD`
 * (liabilities). The projector builds ids here; the HTTP edge parses them here, so the two
 * cannot drift apart.
 */
import type { PaymentKind } from '@kob/domain';
import type { LedgerAccountKind, LedgerSide } from './ledger.table';

/**
 * Longest account id the HTTP edge accepts: the API's `maxParamLength` (`limits.pathParamLengthMax`,
 * 300), which answers a longer path parameter with 414 before any route runs; a payee account
 * with a ref of 120 characters is about 175.
 */
export const LEDGER_ACCOUNT_LENGTH_MAX = 300;

export interface LedgerAccountRef {
  id: string;
  kind: LedgerAccountKind;
  currency: string;
  /** The escrow the account belongs to (held, payee), else null. */
  escrowId: string | null;
}

/** Cash is an asset (debit-normal); what is held or owed is a liability (credit-normal). */
export const normalSideOf: Readonly<Record<LedgerAccountKind, LedgerSide>> = {
  psp_cash: 'debit',
  escrow_held: 'credit',
  provider_payable: 'credit',
  client_refundable: 'credit',
  payee_payable: 'credit',
};

/** The account `{head}:{currency}` (every account id ends with its currency). */
function account(
  kind: LedgerAccountKind,
  head: string,
  currency: string,
  escrowId: string | null = null,
): LedgerAccountRef {
  return { id: `${head}:${currency}`, kind, currency, escrowId };
}

export function pspCashAccount(currency: string): LedgerAccountRef {
  return account('psp_cash', 'psp:cash', currency);
}

export function escrowHeldAccount(escrowId: string, currency: string): LedgerAccountRef {
  return account('escrow_held', `escrow:${escrowId}:held`, currency, escrowId);
}

/** The account a payment of this kind owes its beneficiary until the PSP has sent it. */
export function payableAccount(
  kind: PaymentKind,
  escrowId: string,
  beneficiaryId: string,
  currency: string,
): LedgerAccountRef {
  switch (kind) {
    case 'payout':
      return account('provider_payable', `provider:${beneficiaryId}:payable`, currency);
    case 'refund':
      return account('client_refundable', `client:${beneficiaryId}:refundable`, currency);
    case 'spend':
      return account(
        'payee_payable',
        `payee:${escrowId}:${beneficiaryId}:payable`,
        currency,
        escrowId,
      );
  }
}

// The free-form part of provider, client and payee accounts may hold anything but nothing may be
// empty; the escrow part is a UUID. Prefix and suffix are fixed, so a parse is never ambiguous.
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const GRAMMAR: readonly { kind: LedgerAccountKind; re: RegExp }[] = [
  { kind: 'psp_cash', re: /^psp:cash:([A-Z]{3})$/ },
  { kind: 'escrow_held', re: new RegExp(`^escrow:(${UUID}):held:([A-Z]{3})$`) },
  { kind: 'provider_payable', re: /^provider:(.+):payable:([A-Z]{3})$/ },
  { kind: 'client_refundable', re: /^client:(.+):refundable:([A-Z]{3})$/ },
  { kind: 'payee_payable', re: new RegExp(`^payee:(${UUID}):(.+):payable:([A-Z]{3})$`) },
];

/** The kind and currency an account id names, or null when it follows no account grammar. */
export function parseLedgerAccount(
  id: string,
): { kind: LedgerAccountKind; currency: string } | null {
  if (id.length === 0 || id.length > LEDGER_ACCOUNT_LENGTH_MAX) return null;
  for (const { kind, re } of GRAMMAR) {
    const m = re.exec(id);
    if (m) return { kind, currency: m[m.length - 1]! };
  }
  return null;
}
