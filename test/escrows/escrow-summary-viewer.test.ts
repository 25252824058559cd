/**
 * The escrow summary as the web frontend reads it (FRONTEND-CONTRACT.md §4.5) and delivery by
 * either party (A3), over HTTP against the real service: every key always present, the escrow's
 * proofs oldest first, `viewer_context` for each caller (relation, the D7 actions from the decider
 * probes and the caller's role, A4's full-deposit funding, nothing for auditors), and the
 * milestone a proof is for now.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedWithMilestone, submitProof } from '../support/proof-api';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi({ SCHEDULER_ENABLED: 'false' });
});
afterAll(() => api.close());

const SUMMARY_KEYS = [
  'allowed_actions',
  'balances',
  'current_submittable_milestone_id',
  'current_submittable_milestone_idx',
  'deposits',
  'escrow',
  'milestones',
  'payments',
  'proofs',
  'viewer_context',
];

/** An invoice claim (a URL and a hash, no upload): it always waits for review (PENDING). */
const claim = (escrowId: string) => ({
  escrow_id: escrowId,
  milestone_idx: 1,
  type: 'INVOICE',
  storage_url: `https://files.example/proofs/${randomUUID()}.pdf`,
  sha256: createHash('sha256').update(randomUUID()).digest('hex'),
});

const actionsOf = async (escrowId: string, key: string) =>
  (await api.summary(escrowId, key)).viewer_context.allowed_actions as string[];

describe('GET /escrows/{id}/summary for the frontend', () => {
  it('answers every key, with the viewer context of each caller on a new DRAFT escrow', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const m1 = await api.milestone(id, 1, '40.00');
    await api.milestone(id, 2, '60.00');
    const client = await api.summary(id, api.keys.client);
    expect(Object.keys(client).sort()).toEqual(SUMMARY_KEYS);
    expect(client).toMatchObject({
      proofs: [],
      deposits: [],
      payments: [],
      allowed_actions: ['deposit', 'client-reject'],
      current_submittable_milestone_idx: 1,
      current_submittable_milestone_id: m1,
      viewer_context: {
        relation: 'SENDER',
        allowed_actions: ['FUND_ESCROW', 'CLIENT_REJECT'],
        is_sender: true,
        is_provider: false,
        is_participant: true,
        viewer_user_id: api.ids.client,
      },
    });
    expect((await api.summary(id, api.keys.provider)).viewer_context).toEqual({
      relation: 'PROVIDER',
      allowed_actions: ['UPLOAD_PROOF_FILE', 'SUBMIT_PROOF'],
      is_sender: false,
      is_provider: true,
      is_participant: true,
      viewer_user_id: api.ids.provider,
    });
    for (const key of [api.keys.support, api.keys.auditor]) {
      const s = await api.summary(id, key);
      expect(Object.keys(s).sort()).toEqual(SUMMARY_KEYS);
      expect(s.viewer_context).toEqual({
        relation: 'OPS',
        allowed_actions: [],
        is_sender: false,
        is_provider: false,
        is_participant: false,
        viewer_user_id: null,
      });
    }
    expect(await actionsOf(id, api.keys.admin)).toEqual([
      'FUND_ESCROW',
      'CLIENT_REJECT',
      'UPLOAD_PROOF_FILE',
      'SUBMIT_PROOF',
    ]);
    expectErrorEnvelope(
      await api.call('GET', `/escrows/${id}/summary`, api.keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
  });

  it('offers funding only while nothing is deposited or pending (A4)', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    expect(await actionsOf(id, api.keys.client)).toContain('FUND_ESCROW');
    await api.deposit(id, '30.00');
    const s = await api.summary(id, api.keys.client);
    expect(s.allowed_actions).toContain('deposit');
    expect(s.viewer_context.allowed_actions).not.toContain('FUND_ESCROW');
    expect(await actionsOf(id, api.keys.admin)).not.toContain('FUND_ESCROW');
  });

  it('lists the proofs oldest first and offers their decision to the client, support and admin', async () => {
    const [id, m1] = await fundedWithMilestone(api, { proofKind: 'INVOICE' });
    const first = await submitProof(api, claim(id));
    expect(first.json()).toMatchObject({ status: 'PENDING' });
    const rejected = await api.call(
      'POST',
      `/proofs/${first.json().id}/decision`,
      api.keys.client,
      {
        decision: 'reject',
        note: 'unreadable',
      },
    );
    expect(rejected.json()).toMatchObject({ status: 'REJECTED' });
    // Rejected: the milestone waits again, and the provider may send another proof.
    expect(await actionsOf(id, api.keys.provider)).toEqual([
      'MARK_DELIVERED',
      'UPLOAD_PROOF_FILE',
      'SUBMIT_PROOF',
    ]);
    const second = await submitProof(api, claim(id));
    expect(second.json()).toMatchObject({ status: 'PENDING' });

    const s = await api.summary(id, api.keys.client);
    expect(
      s.proofs.map((p: Record<string, unknown>) => [p.id, p.escrow_id, p.type, p.status]),
    ).toEqual([
      [first.json().id, id, 'INVOICE', 'REJECTED'],
      [second.json().id, id, 'INVOICE', 'PENDING'],
    ]);
    expect(s.proofs[0].created_at <= s.proofs[1].created_at).toBe(true);
    expect(s.current_submittable_milestone_id).toBe(m1);
    expect(s.viewer_context.allowed_actions).toEqual([
      'MARK_DELIVERED',
      'CLIENT_APPROVE',
      'CLIENT_REJECT',
      'DECIDE_PROOF',
    ]);
    // The milestone is in review: no second proof, but the provider may still deliver.
    expect(await actionsOf(id, api.keys.provider)).toEqual(['MARK_DELIVERED']);
    // Support decides proofs and nothing else: never FUND_ESCROW, never a client action.
    expect(await actionsOf(id, api.keys.support)).toEqual(['DECIDE_PROOF']);
    expect(await actionsOf(id, api.keys.auditor)).toEqual([]);
    expect(await actionsOf(id, api.keys.admin)).toEqual([
      'MARK_DELIVERED',
      'CLIENT_APPROVE',
      'CLIENT_REJECT',
      'DECIDE_PROOF',
    ]);
    expect((await api.summary(id, api.keys.auditor)).proofs).toHaveLength(2);
  });

  it('names the next milestone once one is paid, and none once the escrow is closed', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const m1 = await api.milestone(id, 1, '40.00');
    const m2 = await api.milestone(id, 2, '60.00');
    await api.deposit(id, '100.00');
    expect((await api.release(m1)).statusCode).toBe(200);
    expect(await api.summary(id, api.keys.provider)).toMatchObject({
      current_submittable_milestone_idx: 2,
      current_submittable_milestone_id: m2,
    });
    await api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {});
    const closed = await api.summary(id, api.keys.client);
    expect(closed).toMatchObject({
      escrow: { status: 'RELEASED' },
      current_submittable_milestone_idx: null,
      current_submittable_milestone_id: null,
      allowed_actions: [],
      viewer_context: { relation: 'SENDER', allowed_actions: [] },
    });
  });
});

describe('POST /escrows/{id}/mark-delivered by either party (A3)', () => {
  it('lets the client mark delivered, refuses a sender who is neither party and support', async () => {
    const [id] = await fundedWithMilestone(api);
    expect(await actionsOf(id, api.keys.client)).toContain('MARK_DELIVERED');
    expect((await api.summary(id, api.keys.client)).allowed_actions).toContain('mark-delivered');
    const url = `/escrows/${id}/mark-delivered`;
    expectErrorEnvelope(
      await api.call('POST', url, api.keys.stranger, {}),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await api.call('POST', url, api.keys.support, {}),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectErrorEnvelope(
      await api.call('POST', url, api.keys.auditor, {}),
      403,
      'INSUFFICIENT_SCOPE',
    );
    const res = await api.call('POST', url, api.keys.client, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'RELEASABLE' });
    const events = await api.t.platform.store.readStream(`escrow-${id}`);
    expect(events.at(-1)).toMatchObject({
      type: 'escrow.delivered.v1',
      metadata: { actor: { userId: api.ids.client } },
    });
    expect(await actionsOf(id, api.keys.client)).not.toContain('MARK_DELIVERED');
    expectErrorEnvelope(
      await api.call('POST', url, api.keys.provider, {}),
      409,
      'INVALID_STATE_TRANSITION',
    );
  });
});
