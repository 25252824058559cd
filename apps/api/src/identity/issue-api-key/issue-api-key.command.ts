import { Command } from '@nestjs/cqrs';
import type { Scope } from '@kob/kernel';
import type { ReservationClaim } from '@kob/platform';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';

/** The new key as `POST /apikeys` shows it, this once (the key itself included). */
export interface IssuedApiKeyAnswer {
  id: string;
  name: string;
  prefix: string;
  scope: Scope;
  user_id: string | null;
  key: string;
  expires_at: string | null;
  created_at: string;
}

export interface IssueApiKeySpec {
  name: string;
  scope: Scope;
  /** the linked user (it must exist), or null */
  userId: string | null;
  /** days until it expires; null: never; absent: the default (90) */
  daysValid?: number | null;
  /** a given key (BOOTSTRAP_ADMIN_API_KEY) instead of a drawn one */
  key?: string;
  /** reservations claimed in the same append (the bootstrap's exactly-once) */
  claims?: ReservationClaim[];
}

/** Issue an API key (`POST /apikeys`, and the first start's admin key). */
export class IssueApiKeyCommand extends Command<Committed<IssuedApiKeyAnswer>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly spec: IssueApiKeySpec,
  ) {
    super();
  }
}
