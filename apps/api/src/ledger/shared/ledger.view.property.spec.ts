/**
 * Properties of the ledger views (issue 12): accounts and journal entries whose account names
 * hold any payee ref a client may choose (2–120 visible ASCII characters) and amounts at any size
 * come out as well-formed JSON that survives a round trip, with names unchanged and amounts at
 * the currency's scale.
 */
import fc from 'fast-check';
import { amountAt } from '@test/event-scenarios';
import { propertyParams, visibleAscii } from '@test/hostile-values';
import { A_TIME, viewProblems } from '@test/view-property';
import { accountView, ledgerEntryView } from './ledger-reads';

const ESCROW = '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a00';

describe('ledger views under arbitrary payee refs and amounts', () => {
  it('are well-formed and keep account names and amounts', () => {
    fc.assert(
      fc.property(visibleAscii(2, 120), amountAt(2), (ref, amount) => {
        const account = `payee:${ESCROW}:${ref}:payable:USD`;
        const view = accountView(
          {
            account,
            currency: 'USD',
            kind: 'payee_payable',
            normal_side: 'credit',
            escrow_id: ESCROW,
            debits: '0',
            credits: amount,
            balance: amount,
            updated_at: A_TIME,
          },
          2,
        );
        const entry = ledgerEntryView(
          {
            tx: '7',
            pos: '1',
            event_id: 'e',
            event_type: 'payment.initiated.v1',
            escrow_id: ESCROW,
            payment_id: 'p',
            currency: 'USD',
            debit_account: `escrow:${ESCROW}:held:USD`,
            credit_account: account,
            amount,
            occurred_at: A_TIME,
          },
          2,
          account,
        );
        expect(viewProblems([view, entry])).toEqual([]);
        expect([
          view.account,
          view.balance,
          entry.credit_account,
          entry.amount,
          entry.side,
        ]).toEqual([account, amount, account, amount, 'credit']);
      }),
      propertyParams(150),
    );
  });
});
