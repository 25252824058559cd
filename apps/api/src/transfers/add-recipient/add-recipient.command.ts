import type { Committed } from '../../http/committed';
import { AllowlistEntryCommand } from '../shared/allowlist-entry';

export interface AddRecipientAnswer {
  status: 'added' | 'exists';
}

/** Admin puts `recipientId` on `ownerId`'s allowlist. */
export class AddRecipientCommand extends AllowlistEntryCommand<Committed<AddRecipientAnswer>> {}
