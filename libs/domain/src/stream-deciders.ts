/**
 * Which decider folds which stream. A stream id is `{category}-{id}`; some categories hold a
 * dash themselves (`proof-file`, `psp-webhook`), so the longest category that prefixes the id
 * wins. Streams of no aggregate (uniqueness reservations, alerts) have no decider.
 */
import type { Decider, DomainEvent } from './decider';
import { apiKeyDecider } from './identity/apikey.decider';
import { userDecider } from './identity/user.decider';
import { escrowDecider } from './escrow/escrow.decider';
import { pspWebhookDecider } from './psp-webhook/psp-webhook.decider';
import { proofFileDecider } from './proof-file/proof-file.decider';
import { tallyDecider } from './tally/tally.decider';
import { mandateCleanupDecider, mandateDecider } from './mandate/mandate.decider';
import { merchantDecider } from './spend/merchant.decider';
import { spendCategoryDecider } from './spend/spend-category.decider';
import { usageAllowDecider } from './spend/usage-allow.decider';
import { allowlistDecider } from './transfer/allowlist.decider';
import { certificationDecider } from './transfer/certification.decider';
import { transactionDecider } from './transfer/transaction.decider';

/** A decider of any aggregate, as a reader that only folds sees it. */
export type AnyDecider = Decider<unknown, unknown, DomainEvent>;

/** Every aggregate's decider, longest category first (so the lookup below is a first match). */
export const aggregateDeciders: readonly AnyDecider[] = (
  [
    escrowDecider,
    userDecider,
    apiKeyDecider,
    pspWebhookDecider,
    proofFileDecider,
    tallyDecider,
    mandateDecider,
    mandateCleanupDecider,
    merchantDecider,
    spendCategoryDecider,
    usageAllowDecider,
    allowlistDecider,
    certificationDecider,
    transactionDecider,
  ] as unknown as AnyDecider[]
).sort((a, b) => b.category.length - a.category.length);

/** The decider of the stream `{category}-{id}`, or null when no aggregate lives there. */
export function deciderOfStream(streamId: string): AnyDecider | null {
  return aggregateDeciders.find((d) => streamId.startsWith(`${d.category}-`)) ?? null;
}
