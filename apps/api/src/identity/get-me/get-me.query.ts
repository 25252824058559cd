import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { SessionUserRead } from '../shared/session-user.view';

/** `GET /auth/me`: who the presented key acts for (any valid key). */
export class GetMeQuery extends Query<{ user: SessionUserRead }> {
  constructor(readonly actor: Actor) {
    super();
  }
}
