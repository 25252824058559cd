/**
 * Who the caller is to an escrow and what the web frontend may offer it (FRONTEND-CONTRACT.md
 * §4.5, D7): the summary's `viewer_context`. Each action comes from the decider probes behind the
 * path-named `allowed_actions` (so the buttons never disagree with what the commands answer),
 * filtered by the role the caller holds in the escrow: admin holds every role, support only
 * decides proofs, auditors act on nothing, a sender acts as the escrow's client or provider.
 */
import {
  type ActionRole,
  type EscrowState,
  escrowActionOptions,
  money,
  proofSubmittable,
} from '@kob/domain';
import type { Actor } from '@kob/kernel';
import type { ViewerContextRead } from '../shared/escrows.view';

/** The frontend's action names (D7), in the order the contract's table lists them. */
export const VIEWER_ACTIONS = [
  'FUND_ESCROW',
  'MARK_DELIVERED',
  'CLIENT_APPROVE',
  'CLIENT_REJECT',
  'UPLOAD_PROOF_FILE',
  'SUBMIT_PROOF',
  'DECIDE_PROOF',
] as const;
export type ViewerAction = (typeof VIEWER_ACTIONS)[number];

/** Who may take each action (the contract's "who" column); admin always may. */
type Holder = 'client' | 'provider' | 'support';
const HOLDERS: Record<ViewerAction, readonly Holder[]> = {
  FUND_ESCROW: ['client'],
  MARK_DELIVERED: ['provider', 'client'],
  CLIENT_APPROVE: ['client'],
  CLIENT_REJECT: ['client'],
  UPLOAD_PROOF_FILE: ['provider'],
  SUBMIT_PROOF: ['provider'],
  DECIDE_PROOF: ['client', 'support'],
};

/** The actions open on the escrow now, whoever asks (the probes of the decider). */
function openActions(escrow: EscrowState, now: string): Set<ViewerAction> {
  const probed = new Set(escrowActionOptions(escrow, now).map((o) => o.action));
  const open = new Set<ViewerAction>();
  // A4: the frontend always deposits the whole total, so funding is offered only while nothing
  // is deposited or pending.
  const touched = money(escrow, escrow.deposited).plus(money(escrow, escrow.pending)).isPositive();
  if (probed.has('deposit') && !touched) open.add('FUND_ESCROW');
  if (probed.has('mark-delivered')) open.add('MARK_DELIVERED');
  if (probed.has('client-approve')) open.add('CLIENT_APPROVE');
  if (probed.has('client-reject')) open.add('CLIENT_REJECT');
  if (proofSubmittable(escrow)) {
    open.add('UPLOAD_PROOF_FILE');
    open.add('SUBMIT_PROOF');
  }
  if (escrow.proofs.some((p) => p.status === 'PENDING')) open.add('DECIDE_PROOF');
  return open;
}

/** The roles `actor` holds in the escrow (admin: all of them; auditor: none). */
export function holderRoles(actor: Actor, isClient: boolean, isProvider: boolean): Set<Holder> {
  const scope = actor.kind === 'system' ? null : actor.scope;
  if (scope === 'admin') return new Set<Holder>(['client', 'provider', 'support']);
  if (scope === 'support') return new Set<Holder>(['support']);
  const roles = new Set<Holder>();
  if (scope !== 'sender') return roles;
  if (isClient) roles.add('client');
  if (isProvider) roles.add('provider');
  return roles;
}

/** Whether holding `roles` lets one take an action the decider's probes name for `role`. */
export function mayAct(roles: ReadonlySet<Holder>, role: ActionRole): boolean {
  switch (role) {
    case 'client':
    case 'provider':
      return roles.has(role);
    case 'party':
      return roles.has('client') || roles.has('provider');
    case 'party_or_support':
      return roles.size > 0;
  }
}

/**
 * SENDER when the caller's user is the client, PROVIDER when it is the provider, OPS otherwise
 * (support, auditor, admin: a sender who is neither never gets this far).
 */
export function viewerContext(actor: Actor, escrow: EscrowState, now: string): ViewerContextRead {
  const userId = actor.kind === 'api_key' ? actor.userId : null;
  const isSender = userId !== null && userId === escrow.clientId;
  const isProvider = userId !== null && userId === escrow.providerId;
  const roles = holderRoles(actor, isSender, isProvider);
  const open = openActions(escrow, now);
  const allowed = VIEWER_ACTIONS.filter(
    (action) => open.has(action) && HOLDERS[action].some((holder) => roles.has(holder)),
  );
  return {
    relation: isSender ? 'SENDER' : isProvider ? 'PROVIDER' : 'OPS',
    allowed_actions: allowed,
    is_sender: isSender,
    is_provider: isProvider,
    is_participant: isSender || isProvider,
    viewer_user_id: userId,
  };
}
