/**
 * The provider inbox's item view: the proof kinds the due milestone takes (its own kind, both
 * families for a kind-less milestone, none without a due milestone or on a closed escrow).
 */
import { providerInboxItemView } from './provider-inbox.view';

const row = (status: string) => ({
  id: 'e1',
  status,
  sender_display: 'alice',
  amount_total: '10',
  currency: 'USD',
  scale: 2,
  deadline_at: new Date('2030-01-01T00:00:00Z'),
  updated_at: new Date('2029-01-01T00:00:00Z'),
});

describe('provider inbox item', () => {
  it('names the due milestone and the proof kinds it takes', () => {
    expect(providerInboxItemView(row('FUNDED'), { sequence_index: 2, proof_kind: 'PDF' })).toEqual({
      escrow_id: 'e1',
      escrow_status: 'FUNDED',
      sender_display: 'alice',
      amount_total: '10.00',
      currency: 'USD',
      deadline_at: '2030-01-01T00:00:00.000Z',
      current_submittable_milestone_idx: 2,
      required_proof_kinds: ['PDF'],
      last_update_at: '2029-01-01T00:00:00.000Z',
    });
    const kindless = providerInboxItemView(row('DRAFT'), { sequence_index: 1, proof_kind: null });
    expect(kindless.required_proof_kinds).toEqual(['PHOTO', 'DOCUMENT']);
  });

  it('names none without a due milestone or on a closed escrow', () => {
    expect(providerInboxItemView(row('FUNDED'), undefined)).toMatchObject({
      current_submittable_milestone_idx: null,
      required_proof_kinds: [],
    });
    for (const status of ['RELEASED', 'REFUNDED', 'CANCELLED'])
      expect(
        providerInboxItemView(row(status), { sequence_index: 1, proof_kind: 'PHOTO' }),
      ).toMatchObject({ current_submittable_milestone_idx: null, required_proof_kinds: [] });
  });
});
