/**
 * Issue 12, reproduced end to end: the audit masks cut "the last 4 characters" by UTF-16 code
 * units, so `"card_number":"ab🙂cde"` in a provider's `POST /proofs` metadata, or
 * `"psp_ref":"ß𝔘🙂Ǆ"` in a signed PSP webhook, became half a surrogate pair that PostgreSQL's
 * jsonb refuses, and the audit_log projector halted for good. Here both are sent over HTTP: the
 * requests succeed, no projector halts (and none parks anything), commands answer without
 * `X-Projection-Pending`, and `/audit/events` shows the rows masked by code points.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedWithMilestone, submitProof } from '../support/proof-api';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi({ SCHEDULER_ENABLED: 'false' });
});
afterAll(() => api.close());

interface AuditItem {
  stream_id: string;
  type: string;
  data: Record<string, any>;
}

async function auditEvents(query: Record<string, string>): Promise<AuditItem[]> {
  const res = await api.call(
    'GET',
    `/audit/events?${new URLSearchParams({ limit: '200', ...query })}`,
    api.keys.auditor,
  );
  expect(res.statusCode).toBe(200);
  return res.json().items;
}

/** Every projector is running, none halted, nothing parked, and /health says so. */
async function expectProjectorsHealthy(): Promise<void> {
  const db = api.t.platform.db;
  const rows = await sql<{ name: string; status: string; halted_reason: string | null }>`
    SELECT name, status, halted_reason FROM projection_checkpoints ORDER BY name`.execute(db);
  expect(rows.rows.length).toBeGreaterThan(0);
  expect(rows.rows.filter((r) => r.status !== 'running')).toEqual([]);
  const parked = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name LIKE '%park%'`.execute(db);
  for (const { table_name } of parked.rows) {
    const n = await sql<{
      n: string;
    }>`SELECT count(*)::text AS n FROM ${sql.table(table_name)}`.execute(db);
    expect({ table: table_name, rows: n.rows[0]!.n }).toEqual({ table: table_name, rows: '0' });
  }
  const health = (await api.call('GET', '/health', null)).json();
  expect(health.status).toBe('ok');
}

describe('audit masking by code points over HTTP (issue 12)', () => {
  it('a proof whose metadata holds "card_number":"ab🙂cde" is stored, projected and shown masked', async () => {
    // A document proof: its invoice fields keep `iban_last4`'s last 4, also by code points now.
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const metadata = { card_number: 'ab🙂cde', iban_last4: 'ab🙂cde', note: 'ß𝔘🙂Ǆ' };
    const res = await submitProof(api, {
      escrow_id: escrowId,
      type: 'INVOICE',
      storage_url: `https://files.example/proofs/${randomUUID()}.jpg`,
      sha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      metadata,
    });
    expect({ status: res.statusCode, body: res.json() }).toMatchObject({
      status: 201,
      body: { status: 'PENDING' },
    });
    expect(res.headers['x-projection-pending']).toBeUndefined();
    await expectProjectorsHealthy();
    const [row] = await auditEvents({ stream: `escrow-${escrowId}`, type: 'proof.submitted.v1' });
    expect(row?.data.metadata).toEqual({
      card_number: '***🙂cde',
      iban_last4: '***de',
      note: 'ß𝔘🙂Ǆ',
    });
    expect(row?.data.invoice).toMatchObject({ ibanLast4: '***de' });
    const stored = await api.t.platform.store.readStream(`escrow-${escrowId}`);
    const submitted = stored.find((e) => e.type === 'proof.submitted.v1')!.data as Record<
      string,
      any
    >;
    expect(submitted.invoice.ibanLast4).toBe('🙂cde');
    // The next command is projected at once: the audit trail did not stop at that proof.
    const next = await api.deposit(await api.escrow({ amount_total: '5.00' }), '5.00');
    expect(next.statusCode).toBe(200);
    expect(next.headers['x-projection-pending']).toBeUndefined();
  });

  it('a signed webhook with "psp_ref":"ß𝔘🙂Ǆ" is received, projected and shown masked', async () => {
    const eventId = `evt-${randomUUID()}`;
    const res = await api.webhook({ event_id: eventId, type: 'payment.settled', psp_ref: 'ß𝔘🙂Ǆ' });
    expect(res.statusCode).toBe(200);
    // The reference is not known yet: the webhook waits for it (parked on the reference's stream).
    expect(res.json()).toMatchObject({ ok: 'true', event_id: eventId, outcome: 'parked' });
    expect(res.headers['x-projection-pending']).toBeUndefined();
    const longer = `evt-${randomUUID()}`;
    expect(
      (await api.webhook({ event_id: longer, type: 'payment.settled', psp_ref: 'ab🙂cde' }))
        .statusCode,
    ).toBe(200);
    await expectProjectorsHealthy();
    const received = (await auditEvents({ type: 'psp.webhook_received.v1' })).filter((e) =>
      [eventId, longer].includes(e.data.eventId),
    );
    expect(received.map((e) => [e.data.pspRef, e.data.payload.psp_ref])).toEqual([
      // Four code points (six UTF-16 units) are hidden whole; longer references keep 4 code points.
      ['***', '***'],
      ['***🙂cde', '***🙂cde'],
    ]);
    const parked = (await auditEvents({ type: 'psp.webhook_parked.v1' })).filter(
      (e) => e.data.eventId === eventId,
    );
    expect(parked.map((e) => e.data.pspRef)).toEqual(['***']);
  });
});
