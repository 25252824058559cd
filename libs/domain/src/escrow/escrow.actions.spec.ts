/**
 * `escrowActionOptions`, the summary's allowed actions: for a few states, which actions the
 * decider would act on now and which role may take each (API-RULES.md §1). The probe runs the
 * decider itself, so these specs pin what the options say in the states a client sees most: a new
 * DRAFT, a partly funded one, FUNDED with and without milestones, RELEASABLE, a milestone paying,
 * a due deadline, and closed escrows; and the milestone a proof is for now.
 */
import { escrowActionOptions, proofSubmittable, submittableMilestone } from './escrow.actions';
import type { EscrowEvent } from './escrow.events';
import {
  LATER,
  NOW,
  byStatus,
  cmd,
  decideOn,
  draft,
  draftPartial,
  fold,
  funded,
  fundedBare,
  releasable,
  terminal,
} from '../testing/escrow-fixtures';

const optionsOf = (events: EscrowEvent[], now = NOW) => escrowActionOptions(fold(events), now);

describe('escrow allowed actions', () => {
  it('offers nothing for an escrow that does not exist', () => {
    expect(optionsOf([])).toEqual([]);
  });

  it('offers a new DRAFT escrow deposits, milestones and rejection, all to the client', () => {
    expect(optionsOf(draft)).toEqual([
      { action: 'deposit', role: 'client' },
      { action: 'milestones', role: 'client' },
      { action: 'client-reject', role: 'client' },
    ]);
  });

  it('offers a partly funded DRAFT the release of its lowest milestone, not more milestones than the total', () => {
    expect(optionsOf(draftPartial)).toEqual([
      { action: 'deposit', role: 'client' },
      { action: 'client-reject', role: 'client' },
      { action: 'milestones/m1/release', role: 'client' },
    ]);
  });

  it('offers no deposit once deposits (pending included) reach the total', () => {
    const pendingRest = [...draftPartial, ...decideOn(draftPartial, cmd.deposit('d2', '50.00'))];
    expect(optionsOf(pendingRest).map((o) => o.action)).not.toContain('deposit');
  });

  it('offers a FUNDED escrow delivery to either party (A3) and approval, rejection, release to the client', () => {
    expect(optionsOf(funded)).toEqual([
      { action: 'mark-delivered', role: 'party' },
      { action: 'client-approve', role: 'client' },
      { action: 'client-reject', role: 'client' },
      { action: 'milestones/m1/release', role: 'client' },
    ]);
    expect(optionsOf(fundedBare)).toEqual([
      { action: 'milestones', role: 'client' },
      { action: 'mark-delivered', role: 'party' },
      { action: 'client-approve', role: 'client' },
      { action: 'client-reject', role: 'client' },
    ]);
  });

  it('offers a RELEASABLE escrow approval, rejection and the release, no second delivery', () => {
    expect(optionsOf(releasable)).toEqual([
      { action: 'client-approve', role: 'client' },
      { action: 'client-reject', role: 'client' },
      { action: 'milestones/m1/release', role: 'client' },
    ]);
  });

  it('offers no release while the lowest milestone is paying, and no milestone after a payout', () => {
    const paying = [...fundedBare, ...decideOn(fundedBare, cmd.addMilestone())];
    const m9Paying = [...paying, ...decideOn(paying, cmd.release('m9', 'pay-m9'))];
    expect(optionsOf(m9Paying)).toEqual([
      { action: 'mark-delivered', role: 'party' },
      { action: 'client-approve', role: 'client' },
      { action: 'client-reject', role: 'client' },
    ]);
  });

  it('offers the deadline check to parties and support once it is due and would act', () => {
    expect(optionsOf(draft, LATER)).toContainEqual({
      action: 'check-deadline',
      role: 'party_or_support',
    });
    expect(optionsOf(funded, LATER)).toContainEqual({
      action: 'check-deadline',
      role: 'party_or_support',
    });
    const [created, ...rest] = funded;
    if (created?.type !== 'escrow.created.v1') throw new Error('a stream starts with its creation');
    const none = [
      {
        ...created,
        data: { ...created.data, releaseConditions: { on_deadline: 'none' as const } },
      },
      ...rest,
    ];
    expect(optionsOf(none, LATER).map((o) => o.action)).not.toContain('check-deadline');
  });

  it('offers nothing on a closed escrow, due or not', () => {
    for (const status of terminal) {
      expect(optionsOf(byStatus[status])).toEqual([]);
      expect(optionsOf(byStatus[status], LATER)).toEqual([]);
    }
  });

  it('names the lowest unpaid milestone of an open escrow as the one a proof is for', () => {
    expect(submittableMilestone(fold(draft))).toBeUndefined();
    expect(submittableMilestone(fold(draftPartial))?.milestoneId).toBe('m1');
    expect(proofSubmittable(fold(draftPartial))).toBe(true);
    expect(submittableMilestone(fold(releasable))?.milestoneId).toBe('m1');
    const m1Paying = [...funded, ...decideOn(funded, cmd.release('m1', 'pay-m1'))];
    // Paying is not paid: m1 is still the milestone, but no proof may target it now.
    expect(submittableMilestone(fold(m1Paying))?.milestoneId).toBe('m1');
    expect(proofSubmittable(fold(m1Paying))).toBe(false);
    for (const status of terminal) {
      expect(submittableMilestone(fold(byStatus[status]))).toBeUndefined();
      expect(proofSubmittable(fold(byStatus[status]))).toBe(false);
    }
  });
});
