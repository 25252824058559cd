/**
 * Properties of the mandate views (issue 12): mandates (no free text; amounts up to 18 integer
 * digits at scale 0, 2 or 3) folded from events or read as rows come out as well-formed JSON that
 * survives a round trip, with totals at their scale.
 */
import fc from 'fast-check';
import { mandateDecider } from '@kob/domain';
import { buildMandate, mandateInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, fold, viewProblems } from '@test/view-property';
import { mandateRowView, mandateStateView } from './mandate.view';

describe('mandate views under arbitrary amounts', () => {
  it('are well-formed and keep totals at their scale', () => {
    fc.assert(
      fc.property(mandateInputs, (i) => {
        const state = fold(mandateDecider, buildMandate(i).appends[0]!.events);
        const fromState = mandateStateView(state);
        const fromRow = mandateRowView({
          id: state.mandateId,
          sender_id: state.senderId,
          beneficiary_id: state.beneficiaryId,
          total_amount: i.total,
          total_spent: i.spent,
          currency: i.currency.code,
          scale: i.currency.scale,
          allowed_category_id: null,
          allowed_merchant_id: null,
          expires_at: A_TIME,
          status: 'ACTIVE',
          created_at: A_TIME,
          updated_at: A_TIME,
        });
        expect(viewProblems([fromState, fromRow])).toEqual([]);
        expect([
          fromState.total_amount,
          fromState.total_spent,
          fromRow.total_amount,
          fromRow.total_spent,
        ]).toEqual([i.total, i.spent, i.total, i.spent]);
      }),
      propertyParams(50),
    );
  });
});
