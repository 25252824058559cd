import type { Committed } from '../../http/committed';
import { AllowlistEntryCommand } from '../shared/allowlist-entry';

export interface RemoveRecipientAnswer {
  status: 'removed';
}

/** Admin takes `recipientId` off `ownerId`'s allowlist. */
export class RemoveRecipientCommand extends AllowlistEntryCommand<
  Committed<RemoveRecipientAnswer>
> {}
