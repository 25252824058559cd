/** Who may see which mandates and purchases: a sender key only those of its own user. */
import type { Actor } from '@kob/kernel';
import { userOf } from '../../auth/access.guard';

/** The user of a sender key (it sees only what it is sender or beneficiary of), else null. */
export function senderUser(actor: Actor): string | null {
  return actor.kind === 'api_key' && actor.scope === 'sender' ? userOf(actor) : null;
}
