/** The body of `POST /allowlist`: `owner_id`, `recipient_id`. */
import { AllowlistEntryFields } from '../shared/allowlist-entry';

export class AllowlistBody extends AllowlistEntryFields {}
