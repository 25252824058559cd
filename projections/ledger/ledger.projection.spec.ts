/**
 * The ledger projector on a real PostgreSQL, fed crafted escrow events directly (no store, no
 * runner): the posting table of API-RULES.md §3 entry by entry, separate ledgers per currency,
 * replays and re-batching that change nothing, and each invariant break throwing with the
 * invariant, the event and the account named. Every test runs in a transaction it rolls back,
 * so tests share no balances (psp:cash:USD would otherwise accumulate across them).
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { Money } from '@kob/kernel';
import type { NewEvent, RecordedEvent } from '@kob/event-store';
import { EscrowEventBuilder, asRecorded } from '@test/escrow-event-builder';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { ledgerProjection } from './ledger.projection';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await testDatabase();
});
afterAll(() => tdb.close());

/** Positions never repeat in this file, even across rolled-back transactions. */
const next = { tx: 1000n, pos: 0n };

class RolledBack extends Error {}

/** Runs `fn` in a transaction that is always rolled back; returns what `fn` returned. */
async function inRolledBackTx<T>(fn: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await tdb.db
    .transaction()
    .execute(async (trx) => {
      result = await fn(trx);
      throw new RolledBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
  return result as T;
}

function recorded(b: EscrowEventBuilder, events: NewEvent[]): RecordedEvent[] {
  return asRecorded(b.streamId, events, next);
}

interface EntryView {
  event_type: string;
  debit_account: string;
  credit_account: string;
  amount: string;
  payment_id: string | null;
}

async function entriesOf(trx: Transaction<any>, escrowId: string): Promise<EntryView[]> {
  return trx
    .selectFrom('ledger_entries')
    .select(['event_type', 'debit_account', 'credit_account', 'amount', 'payment_id'])
    .where('escrow_id', '=', escrowId)
    .orderBy('position_tx')
    .orderBy('position_pos')
    .execute() as Promise<EntryView[]>;
}

/** Every account's totals and kind, amounts normalised to their scale for comparison. */
async function accounts(trx: Transaction<any>): Promise<Record<string, string>> {
  const rows = await trx
    .selectFrom('ledger_accounts as a')
    .innerJoin('ledger_currencies as c', 'c.currency', 'a.currency')
    .select(['a.account', 'a.kind', 'a.normal_side', 'a.debits', 'a.credits', 'c.scale'])
    .orderBy('a.account')
    .execute();
  const fmt = (v: string, cur: string, scale: number) => Money.of(v, cur, scale).toString();
  return Object.fromEntries(
    rows.map((r) => {
      const cur = (r.account as string).slice(-3);
      return [
        r.account,
        `${r.kind}/${r.normal_side} dr ${fmt(r.debits, cur, r.scale)} cr ${fmt(r.credits, cur, r.scale)}`,
      ];
    }),
  );
}

async function snapshot(trx: Transaction<any>) {
  const entries = await trx.selectFrom('ledger_entries').selectAll().orderBy('event_id').execute();
  return {
    entries: entries.map((e) => ({ ...e, amount: String(e.amount) })),
    accounts: await accounts(trx),
  };
}

const apply = (trx: Transaction<any>, events: readonly RecordedEvent[]) =>
  ledgerProjection.apply(trx, events);

describe('ledger projection: postings', () => {
  it('posts one balanced entry per money event, and nothing for the others', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const held = `escrow:${b.escrowId}:held:USD`;
    const provider = `provider:${b.providerId}:payable:USD`;
    const client = `client:${b.clientId}:refundable:USD`;
    const payee = `payee:${b.escrowId}:shop-1:payable:USD`;
    const payout = b.initiated({ kind: 'payout', amount: '30.00', heldAfter: '70.00' });
    const refund = b.initiated({ kind: 'refund', amount: '20.00', heldAfter: '50.00' });
    const retry = b.initiated({
      kind: 'refund',
      amount: '20.00',
      heldAfter: '50.00',
      retryOf: refund.payment.paymentId,
    });
    const spend = b.initiated({ kind: 'spend', amount: '10.00', heldAfter: '40.00' });
    const events = [
      b.created('100.00'),
      b.depositConfirmed('60.00', { heldAfter: '60.00' }),
      b.depositConfirmed('40.00', { heldAfter: '100.00' }),
      payout.event,
      b.sent(payout.payment),
      b.settled(payout.payment),
      refund.event,
      b.failed(refund.payment, false),
      retry.event,
      b.retried(refund.payment, retry.payment),
      b.sent(retry.payment),
      spend.event,
      b.sent(spend.payment),
      b.failed(spend.payment, true),
      ...b.noMoneyEvents(randomUUID(), payout.payment.paymentId),
    ];
    const [entries, balances] = await inRolledBackTx(async (trx) => {
      await apply(trx, recorded(b, events));
      return [await entriesOf(trx, b.escrowId), await accounts(trx)] as const;
    });
    const p = (x: { payment: { paymentId: string } }) => x.payment.paymentId;
    expect(entries).toEqual([
      {
        event_type: 'escrow.deposit_confirmed.v1',
        debit_account: 'psp:cash:USD',
        credit_account: held,
        amount: '60.00',
        payment_id: null,
      },
      {
        event_type: 'escrow.deposit_confirmed.v1',
        debit_account: 'psp:cash:USD',
        credit_account: held,
        amount: '40.00',
        payment_id: null,
      },
      {
        event_type: 'payment.initiated.v1',
        debit_account: held,
        credit_account: provider,
        amount: '30.00',
        payment_id: p(payout),
      },
      {
        event_type: 'payment.sent.v1',
        debit_account: provider,
        credit_account: 'psp:cash:USD',
        amount: '30.00',
        payment_id: p(payout),
      },
      {
        event_type: 'payment.initiated.v1',
        debit_account: held,
        credit_account: client,
        amount: '20.00',
        payment_id: p(refund),
      },
      // The failure before sending and the retry post nothing; the retry's sending does.
      {
        event_type: 'payment.sent.v1',
        debit_account: client,
        credit_account: 'psp:cash:USD',
        amount: '20.00',
        payment_id: p(retry),
      },
      {
        event_type: 'payment.initiated.v1',
        debit_account: held,
        credit_account: payee,
        amount: '10.00',
        payment_id: p(spend),
      },
      {
        event_type: 'payment.sent.v1',
        debit_account: payee,
        credit_account: 'psp:cash:USD',
        amount: '10.00',
        payment_id: p(spend),
      },
      {
        event_type: 'payment.failed.v1',
        debit_account: 'psp:cash:USD',
        credit_account: payee,
        amount: '10.00',
        payment_id: p(spend),
      },
    ]);
    expect(balances).toEqual({
      // cash = deposits 100 − sent 60 + sent-then-failed 10 = 50
      'psp:cash:USD': 'psp_cash/debit dr 110.00 cr 60.00',
      [held]: 'escrow_held/credit dr 60.00 cr 100.00',
      [provider]: 'provider_payable/credit dr 30.00 cr 30.00',
      [client]: 'client_refundable/credit dr 20.00 cr 20.00',
      // still owed to the payee after the failure after sending
      [payee]: 'payee_payable/credit dr 10.00 cr 20.00',
    });
  });

  it('posts deposits confirmed after the close or above the total, then their refunds', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const held = `escrow:${b.escrowId}:held:USD`;
    const client = `client:${b.clientId}:refundable:USD`;
    const late = b.depositConfirmed('5.00', { heldAfter: '5.00', afterClose: true });
    const lateRefund = b.initiated({ kind: 'refund', amount: '5.00', heldAfter: '0.00' });
    const above = b.depositConfirmed('2.50', { heldAfter: '2.50', aboveTotal: true });
    const aboveRefund = b.initiated({ kind: 'refund', amount: '2.50', heldAfter: '0.00' });
    const entries = await inRolledBackTx(async (trx) => {
      await apply(
        trx,
        recorded(b, [b.created('10.00'), late, lateRefund.event, above, aboveRefund.event]),
      );
      return entriesOf(trx, b.escrowId);
    });
    expect(entries.map((e) => [e.debit_account, e.credit_account, e.amount])).toEqual([
      ['psp:cash:USD', held, '5.00'],
      [held, client, '5.00'],
      ['psp:cash:USD', held, '2.50'],
      [held, client, '2.50'],
    ]);
  });

  it('keeps one ledger per currency, every account ending with its currency', async () => {
    const usd = new EscrowEventBuilder('USD', 2);
    const jpy = new EscrowEventBuilder('JPY', 0);
    const kwd = new EscrowEventBuilder('KWD', 3);
    const jpyPayout = jpy.initiated({ kind: 'payout', amount: '1200', heldAfter: '3800' });
    const events = [
      ...recorded(usd, [
        usd.created('10.00'),
        usd.depositConfirmed('10.00', { heldAfter: '10.00' }),
      ]),
      ...recorded(jpy, [
        jpy.created('5000'),
        jpy.depositConfirmed('5000', { heldAfter: '5000' }),
        jpyPayout.event,
        jpy.sent(jpyPayout.payment),
      ]),
      // Amounts below the scale's width are fine (1.5 KWD is 1.500).
      ...recorded(kwd, [kwd.created('2.000'), kwd.depositConfirmed('1.5', { heldAfter: '1.500' })]),
    ];
    const balances = await inRolledBackTx(async (trx) => {
      await apply(trx, events);
      return accounts(trx);
    });
    expect(balances).toEqual({
      [`escrow:${jpy.escrowId}:held:JPY`]: 'escrow_held/credit dr 1200 cr 5000',
      [`escrow:${kwd.escrowId}:held:KWD`]: 'escrow_held/credit dr 0.000 cr 1.500',
      [`escrow:${usd.escrowId}:held:USD`]: 'escrow_held/credit dr 0.00 cr 10.00',
      'psp:cash:JPY': 'psp_cash/debit dr 5000 cr 1200',
      'psp:cash:KWD': 'psp_cash/debit dr 1.500 cr 0.000',
      'psp:cash:USD': 'psp_cash/debit dr 10.00 cr 0.00',
      [`provider:${jpy.providerId}:payable:JPY`]: 'provider_payable/credit dr 1200 cr 1200',
    });
  });

  it('changes nothing when a batch is applied again, and the same whatever the batching', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const refund = b.initiated({ kind: 'refund', amount: '4.00', heldAfter: '6.00' });
    const retry = b.initiated({
      kind: 'refund',
      amount: '4.00',
      heldAfter: '6.00',
      retryOf: refund.payment.paymentId,
    });
    const payout = b.initiated({ kind: 'payout', amount: '6.00', heldAfter: '0.00' });
    const events = recorded(b, [
      b.created('10.00'),
      b.depositConfirmed('10.00', { heldAfter: '10.00' }),
      refund.event,
      b.failed(refund.payment, false),
      // A retry checks heldAfter without posting; a later payout then changes held, so a replay
      // must not check the retry again against the newer balance.
      retry.event,
      b.sent(retry.payment),
      payout.event,
      b.sent(payout.payment),
      b.failed(payout.payment, true),
    ]);
    const once = await inRolledBackTx(async (trx) => {
      await apply(trx, events);
      return snapshot(trx);
    });
    const twice = await inRolledBackTx(async (trx) => {
      await apply(trx, events);
      await apply(trx, events);
      await apply(trx, events.slice(3));
      return snapshot(trx);
    });
    const oneByOne = await inRolledBackTx(async (trx) => {
      for (const e of events) await apply(trx, [e]);
      return snapshot(trx);
    });
    expect(once.entries).toHaveLength(6);
    expect(twice).toEqual(once);
    expect(oneByOne).toEqual(once);
  });
});

describe('ledger projection: invariants', () => {
  /** Applies the events in a rolled-back transaction; resolves with the error it threw. */
  async function breakWith(b: EscrowEventBuilder, events: NewEvent[]): Promise<Error> {
    const err = await inRolledBackTx((trx) => apply(trx, recorded(b, events))).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.name).toBe('AssertionError');
    return err!;
  }

  it('refuses a payment above the held balance (held would go negative)', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const payout = b.initiated({ kind: 'payout', amount: '15.00', heldAfter: '0.00' });
    const err = await breakWith(b, [
      b.created('10.00'),
      b.depositConfirmed('10.00', { heldAfter: '10.00' }),
      payout.event,
    ]);
    expect(err.message).toBe(
      `ledger invariant "no negative balance" broken by payment.initiated.v1 ${payout.event.id} ` +
        `on escrow:${b.escrowId}:held:USD: the balance would be -5.00`,
    );
  });

  it('refuses a payment whose heldAfter disagrees with the ledger', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const payout = b.initiated({ kind: 'payout', amount: '4.00', heldAfter: '5.00' });
    const err = await breakWith(b, [
      b.created('10.00'),
      b.depositConfirmed('10.00', { heldAfter: '10.00' }),
      payout.event,
    ]);
    expect(err.message).toBe(
      `ledger invariant "held matches heldAfter" broken by payment.initiated.v1 ${payout.event.id} ` +
        `on escrow:${b.escrowId}:held:USD: the ledger holds 6.00, the event says 5.00`,
    );
  });

  it('checks heldAfter on deposits that carry it, and on retries that post nothing', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const deposit = b.depositConfirmed('10.00', { heldAfter: '9.99' });
    const err = await breakWith(b, [b.created('10.00'), deposit]);
    expect(err.message).toMatch(/"held matches heldAfter" broken by escrow\.deposit_confirmed\.v1/);
    expect(err.message).toContain(deposit.id);

    const r = new EscrowEventBuilder('USD', 2);
    const refund = r.initiated({ kind: 'refund', amount: '4.00', heldAfter: '6.00' });
    const retry = r.initiated({
      kind: 'refund',
      amount: '4.00',
      heldAfter: '2.00',
      retryOf: refund.payment.paymentId,
    });
    const retryErr = await breakWith(r, [
      r.created('10.00'),
      r.depositConfirmed('10.00', { heldAfter: '10.00' }),
      refund.event,
      r.failed(refund.payment, false),
      retry.event,
    ]);
    expect(retryErr.message).toBe(
      `ledger invariant "held matches heldAfter" broken by payment.initiated.v1 ${retry.event.id} ` +
        `on escrow:${r.escrowId}:held:USD: the ledger holds 6.00, the event says 2.00`,
    );
  });

  it('accepts a confirmation without heldAfter (first increment) and still posts it', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const entries = await inRolledBackTx(async (trx) => {
      await apply(
        trx,
        recorded(b, [b.created('10.00'), b.depositConfirmed('3.00', { heldAfter: null })]),
      );
      return entriesOf(trx, b.escrowId);
    });
    expect(entries.map((e) => e.amount)).toEqual(['3.00']);
  });

  it('refuses sending more than is payable (a payable account would go negative)', async () => {
    const b = new EscrowEventBuilder('USD', 2);
    const payout = b.initiated({ kind: 'payout', amount: '4.00', heldAfter: '6.00' });
    const sentTwice = b.sent(payout.payment);
    const err = await breakWith(b, [
      b.created('10.00'),
      b.depositConfirmed('10.00', { heldAfter: '10.00' }),
      payout.event,
      b.sent(payout.payment),
      sentTwice,
    ]);
    expect(err.message).toBe(
      `ledger invariant "no negative balance" broken by payment.sent.v1 ${sentTwice.id} ` +
        `on provider:${b.providerId}:payable:USD: the balance would be -4.00`,
    );
  });

  it('refuses entries that do not balance: zero, negative, or beyond the currency scale', async () => {
    for (const [amount, invariant] of [
      ['0.00', 'entry balances'],
      ['-1.00', 'amount at currency scale'],
      ['1.001', 'amount at currency scale'],
    ] as const) {
      const b = new EscrowEventBuilder('USD', 2);
      const deposit = b.depositConfirmed(amount, { heldAfter: null });
      const err = await breakWith(b, [b.created('10.00'), deposit]);
      expect(err.message).toContain(
        `"${invariant}" broken by escrow.deposit_confirmed.v1 ${deposit.id}`,
      );
    }
  });

  it('refuses money in a currency no escrow creation gave a scale', async () => {
    const b = new EscrowEventBuilder('XTS', 2);
    const deposit = b.depositConfirmed('1.00', { heldAfter: '1.00' });
    const err = await breakWith(b, [deposit]);
    expect(err.message).toContain(
      `"currency scale known" broken by escrow.deposit_confirmed.v1 ${deposit.id} on XTS`,
    );
  });
});
