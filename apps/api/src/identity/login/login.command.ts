import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { SessionUserRead } from '../shared/session-user.view';
import type { LoginBody } from './login.request';

/** What a login answers: the new key, shown this once, under the two names the frontend reads. */
export interface LoginAnswer {
  token: string;
  access_token: string;
  token_type: 'api_key';
  expires_at: string;
  user: SessionUserRead;
}

/** Email login (`POST /auth/login`): a new expiring key whose scope follows the user's role. */
export class LoginCommand extends Command<Committed<LoginAnswer>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly body: LoginBody,
  ) {
    super();
  }
}
