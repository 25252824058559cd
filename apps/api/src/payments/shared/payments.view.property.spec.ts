/**
 * Properties of the payment views (issue 12): payments folded from events and `payments` rows
 * holding arbitrary PSP references, failure reasons and payee refs come out as well-formed JSON
 * that survives a round trip, with those values unchanged.
 */
import fc from 'fast-check';
import { escrowDecider } from '@kob/domain';
import { buildEscrow, escrowInputs } from '@test/event-scenarios';
import { propertyParams, text, visibleAscii } from '@test/hostile-values';
import { A_TIME, fold, viewProblems } from '@test/view-property';
import { paymentRowView, paymentStateView } from './payments.view';

describe('payment views under arbitrary PSP and client values', () => {
  it('views of folded payments are well-formed and keep references and reasons', () => {
    fc.assert(
      fc.property(escrowInputs, (inputs) => {
        const state = fold(escrowDecider, buildEscrow(inputs).appends[0]!.events);
        const views = state.payments.map((p) => paymentStateView(state, p));
        expect(viewProblems(views)).toEqual([]);
        expect(
          views.map((v) => [v.kind, v.status, v.psp_ref, v.failure_reason, v.beneficiary_id]),
        ).toEqual([
          ['spend', 'SETTLED', inputs.sentPspRef, null, inputs.payeeRef],
          [
            'payout',
            'ERROR',
            `${inputs.sentPspRef.slice(0, 250)}-pay`,
            inputs.failureReason,
            state.providerId,
          ],
        ]);
      }),
      propertyParams(20),
    );
  });

  it('views of payments rows are well-formed and keep references and reasons', () => {
    fc.assert(
      fc.property(
        text({ lengthMax: 255 }),
        text({ lengthMax: 500 }),
        visibleAscii(2, 120),
        (pspRef, reason, payee) => {
          const view = paymentRowView(
            {
              id: 'p',
              escrow_id: 'e',
              milestone_id: null,
              kind: 'spend',
              amount: '10',
              currency: 'USD',
              status: 'FAILED',
              psp_ref: pspRef,
              beneficiary_id: payee,
              reason: 'usage_spend',
              retry_of: null,
              retried_by: null,
              deposit_id: null,
              failure_reason: reason,
              initiated_at: A_TIME,
              updated_at: A_TIME,
            },
            2,
          );
          expect(viewProblems(view)).toEqual([]);
          expect([
            view.psp_ref,
            view.failure_reason,
            view.beneficiary_id,
            view.amount,
            view.status,
          ]).toEqual([pspRef, reason, payee, '10.00', 'ERROR']);
        },
      ),
      propertyParams(50),
    );
  });
});
