/**
 * Properties of the escrow views (issue 12): for escrows folded from events and for read-model
 * rows holding arbitrary client values (release conditions and proof requirements of any JSON
 * shape, labels, payee refs and labels, PSP references and reasons of any Unicode), every view
 * (escrow, milestone, summary with deposits and payments, payee) gives well-formed JSON that
 * survives a round trip, and passes those values through unchanged.
 */
import fc from 'fast-check';
import { escrowDecider } from '@kob/domain';
import { buildEscrow, escrowInputs } from '@test/event-scenarios';
import { jsonObject, propertyParams, text } from '@test/hostile-values';
import { A_TIME, fold, stored, viewProblems } from '@test/view-property';
import {
  escrowRowView,
  escrowStateView,
  escrowSummaryView,
  milestoneRowView,
  milestoneStateView,
} from './escrows.view';
import { payeeView } from './payees.view';

describe('escrow views under arbitrary client values', () => {
  it('views of a folded escrow are well-formed and keep every client value', () => {
    fc.assert(
      fc.property(escrowInputs, (inputs) => {
        const state = fold(escrowDecider, buildEscrow(inputs).appends[0]!.events);
        const escrow = escrowStateView(state);
        const milestones = state.milestones.map((m) => milestoneStateView(state, m));
        const summary = escrowSummaryView(state, {
          parties: new Map([[state.providerId, { number: 7, username: 'provider' }]]),
          proofs: [],
          allowedActions: ['deposit'],
          viewerContext: {
            relation: 'OPS',
            allowed_actions: [],
            is_sender: false,
            is_provider: false,
            is_participant: false,
            viewer_user_id: null,
          },
        });
        const payees = state.payees.map((p) => payeeView(state, p, A_TIME.toISOString()));
        for (const out of [escrow, milestones, summary, payees])
          expect(viewProblems(out)).toEqual([]);
        expect(escrow.release_conditions).toEqual(
          stored({ ...inputs.releaseConditions, on_deadline: inputs.onDeadline }),
        );
        expect(milestones.map((m) => [m.label, m.proof_requirements])).toEqual([
          [inputs.milestoneLabel, stored(inputs.proofRequirements)],
        ]);
        expect(payees.map((p) => [p.payee_ref, p.label])).toEqual([
          [inputs.payeeRef, inputs.payeeLabel],
        ]);
        expect(summary.payments.map((p) => p.failure_reason)).toContain(inputs.failureReason);
        expect(summary.deposits.map((d) => d.psp_ref)).toContain(inputs.recordedPspRef);
        expect(summary.escrow).toMatchObject({
          payment_mode: 'MILESTONE',
          provider_user_id: 7,
          sender_user_id: null,
          provider_user: { id: 7, username: 'provider', display_name: null },
        });
      }),
      propertyParams(30),
    );
  });

  it('views of read-model rows are well-formed and keep every client value', () => {
    fc.assert(
      fc.property(
        jsonObject(),
        jsonObject(),
        text({ lengthMax: 255, nonBlank: true }),
        (conditions, requirements, label) => {
          const escrow = escrowRowView({
            id: 'e',
            client_id: 'c',
            provider_id: 'p',
            amount_total: '100.00',
            currency: 'USD',
            scale: 2,
            status: 'DRAFT',
            domain: 'private',
            release_conditions: stored(conditions),
            deadline_at: A_TIME,
            deposited: '0',
            created_at: A_TIME,
          });
          const milestone = milestoneRowView(
            {
              id: 'm',
              escrow_id: 'e',
              label,
              amount: '40',
              currency: 'USD',
              sequence_index: 1,
              status: 'WAITING',
              proof_kind: 'PHOTO',
              proof_requirements: stored(requirements),
              geofence_lat: null,
              geofence_lng: null,
              geofence_radius_m: null,
            },
            2,
          );
          expect([...viewProblems(escrow), ...viewProblems(milestone)]).toEqual([]);
          expect([
            escrow.release_conditions,
            milestone.label,
            milestone.proof_requirements,
            milestone.amount,
          ]).toEqual([stored(conditions), label, stored(requirements), '40.00']);
        },
      ),
      propertyParams(50),
    );
  });
});
