/**
 * The party rule of API-RULES.md §1 for everything hanging off an escrow (the escrow, its
 * milestones, payments, ledger): a sender must be the escrow's client or provider (in the named
 * role, when there is one); support, auditor and admin scopes pass (their scope was checked by
 * the access guard).
 */
import type { Actor } from '@kob/kernel';
import { userOf } from '../../auth/access.guard';
import { ApiError } from '../../http/api-error';

export type EscrowRole = 'client' | 'provider';

export function checkParty(
  actor: Actor,
  parties: { clientId: string; providerId: string },
  role?: EscrowRole,
): void {
  if (actor.kind !== 'api_key' || actor.scope !== 'sender') return;
  const userId = userOf(actor);
  const isClient = userId === parties.clientId;
  const isProvider = userId === parties.providerId;
  if (!isClient && !isProvider)
    throw new ApiError(403, 'NOT_ESCROW_PARTY', 'you are not a party to this escrow');
  if (role === 'client' && !isClient)
    throw new ApiError(403, 'NOT_ESCROW_CLIENT', "only the escrow's client may do this");
  if (role === 'provider' && !isProvider) {
    throw new ApiError(403, 'NOT_ESCROW_PROVIDER', "only the escrow's provider may do this");
  }
}
