/**
 * Email login for development and demos (FRONTEND-CONTRACT D1, A1, A2): no password. The user is
 * found through its email's uniqueness reservation (the event store, never a read model); an
 * unknown email and an inactive user get the same 401, which the auth-failure budget counts per
 * address (http/rate-limits.ts). Each login issues a new key named `login` whose scope follows
 * the user's role, expiring after AUTH_SESSION_TTL_MINUTES, recorded as `apikey.issued.v1` by
 * the system actor `system:auth-login`, and marked a session: it works only while the user's role
 * still maps to its scope. Whether login is on is checked before this handler runs
 * (login.controller.ts), so that a disabled login never reveals whether an email exists.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { scopeOfRole, userDecider } from '@kob/domain';
import { readReservation } from '@kob/event-store';
import type { Scope } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { AUTH_PROJECTORS } from '../../http/read-your-writes';
import {
  APP_CONFIG,
  type AppConfig,
  EVENT_STORE,
  RESERVATIONS,
  type ReservationStreams,
} from '../../platform/platform.providers';
import type { EventStore } from '@kob/event-store';
import { uniquenessKey } from '../identity-text';
import { issueApiKey } from '../issue-api-key/issue-api-key';
import { userStream } from '../shared/identity-streams';
import { sessionUserView } from '../shared/session-user.view';
import { type LoginAnswer, LoginCommand } from './login.command';
import type { LoginScope } from './login.request';

const MINUTE_MS = 60_000;
const USER_OWNER = /^user:([0-9a-f-]{36})$/;

const invalidCredentials = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'Unknown email or inactive user.');

/** The key scope a login asked for (`sender`, `provider`, `user`: a user's sender key). */
function askedScope(scope: LoginScope): Scope {
  return scope === 'provider' || scope === 'user' ? 'sender' : scope;
}

@CommandHandler(LoginCommand)
export class LoginHandler implements ICommandHandler<LoginCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RESERVATIONS) private readonly reservations: ReservationStreams,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ origin, body }: LoginCommand): Promise<Committed<LoginAnswer>> {
    const userId = await this.userIdByEmail(body.email);
    if (!userId) throw invalidCredentials();
    const { state: user } = await this.commands.read(userStream(userId), userDecider);
    if (!user.exists || !user.isActive) throw invalidCredentials();
    const scope = scopeOfRole(user.role);
    if (body.scope !== undefined && askedScope(body.scope) !== scope) {
      // The scope asked for only: naming the role would tell who is support or admin.
      throw new ApiError(403, 'INSUFFICIENT_SCOPE', `this user cannot log in with ${body.scope}`, {
        scope: body.scope,
      });
    }
    const metadata = origin.metadata('none');
    const expiresAt = new Date(
      metadata.now.getTime() + this.config.authSessionTtlMinutes * MINUTE_MS,
    ).toISOString();
    const issued = await issueApiKey({ commands: this.commands, config: this.config }, metadata, {
      name: 'login',
      scope,
      userId,
      expiresAt,
      session: true,
    });
    const answer: LoginAnswer = {
      token: issued.key,
      access_token: issued.key,
      token_type: 'api_key',
      expires_at: expiresAt,
      user: sessionUserView(scope, user, 'login'),
    };
    // The key works from this answer on, whatever other read model is behind.
    return new Committed(answer, issued.position, { projectors: AUTH_PROJECTORS });
  }

  /** The user holding this email's reservation (the same normal form uniqueness uses), or null. */
  private async userIdByEmail(email: string): Promise<string | null> {
    const stream = await this.reservations('email', uniquenessKey(email));
    const reservation = await readReservation(this.store, stream);
    if (reservation.status !== 'claimed' || !reservation.owner) return null;
    return USER_OWNER.exec(reservation.owner)?.[1] ?? null;
  }
}
