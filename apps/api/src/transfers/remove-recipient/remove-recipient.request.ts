/** The query of `DELETE /allowlist`: `owner_id`, `recipient_id`. */
import { AllowlistEntryFields } from '../shared/allowlist-entry';

export class AllowlistEntryQuery extends AllowlistEntryFields {}
