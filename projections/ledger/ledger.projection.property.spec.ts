/**
 * Property (issue 12): the ledger, the one projector that must halt on a broken invariant, never
 * halts on what clients and the PSP can write: payee refs (in payee account names), PSP
 * references, reasons and notes of any Unicode leave its postings and balances exactly as
 * API-RULES.md §3 says, and every currency's ledger stays balanced.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { Money } from '@kob/kernel';
import { buildEscrow, escrowInputs, injections } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

async function balance(account: string): Promise<string | null> {
  const row = await h.tdb.db
    .selectFrom('ledger_accounts')
    .select(['debits', 'credits', 'normal_side'])
    .where('account', '=', account)
    .executeTakeFirst();
  if (!row) return null;
  const [dr, cr] = [
    Money.of(String(row.debits), 'USD', 2),
    Money.of(String(row.credits), 'USD', 2),
  ];
  return (row.normal_side === 'debit' ? dr.minus(cr) : cr.minus(dr)).toString();
}

describe('ledger projector under arbitrary PSP and client input', () => {
  it('never halts, posts each money event once and stays balanced', async () => {
    await fc.assert(
      fc.asyncProperty(escrowInputs, injections, async (inputs, injection) => {
        const built = buildEscrow(inputs);
        await h.project(built.appends, injection);
        const { escrowId, providerId } = built.builder;
        const entries = await h.tdb.db
          .selectFrom('ledger_entries')
          .select('event_type')
          .where('escrow_id', '=', escrowId)
          .execute();
        expect(entries.map((e) => e.event_type).sort()).toEqual(
          [
            'escrow.deposit_confirmed.v1',
            'payment.failed.v1',
            'payment.initiated.v1',
            'payment.initiated.v1',
            'payment.sent.v1',
            'payment.sent.v1',
          ].sort(),
        );
        expect(await balance(`escrow:${escrowId}:held:USD`)).toBe('50.00');
        expect(await balance(`payee:${escrowId}:${inputs.payeeRef}:payable:USD`)).toBe('0.00');
        expect(await balance(`provider:${providerId}:payable:USD`)).toBe('40.00');
        const trial = await sql<{ currency: string; debits: string; credits: string }>`
          SELECT currency, sum(debits)::text AS debits, sum(credits)::text AS credits
          FROM ledger_accounts GROUP BY currency`.execute(h.tdb.db);
        for (const row of trial.rows)
          expect(
            Money.of(row.debits, row.currency, 2).equals(Money.of(row.credits, row.currency, 2)),
          ).toBe(true);
      }),
      propertyParams(10),
    );
  });
});
