/**
 * `POST /auth/login` (public; FRONTEND-CONTRACT §3.1): a key sent along is ignored (the browser
 * may hold a stale one). Off unless AUTH_EMAIL_LOGIN (on by default only with
 * APP_ENV=development): then 403 EMAIL_LOGIN_DISABLED before the body is even read, so nothing
 * about emails is revealed. No Idempotency-Key (as `POST /apikeys`:
 * a replay could not show the key again).
 */
import {
  Body,
  type CanActivate,
  HttpCode,
  Inject,
  Injectable,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { systemActor } from '@kob/kernel';
import { Public } from '../../auth/access.decorator';
import { ApiError } from '../../http/api-error';
import { httpOrigin } from '../../http/command-context';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { ApiController, CommandController } from '../../http/routes';
import { type LoginAnswer, LoginCommand } from './login.command';
import { LoginBody } from './login.request';

/** 403 EMAIL_LOGIN_DISABLED unless AUTH_EMAIL_LOGIN is on: before validation, before lookup. */
@Injectable()
export class EmailLoginEnabled implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.authEmailLogin) return true;
    throw new ApiError(403, 'EMAIL_LOGIN_DISABLED', 'Email login is disabled on this service.');
  }
}

@ApiController('auth', 'auth')
export class LoginController extends CommandController {
  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(EmailLoginEnabled)
  @Dispatches(LoginCommand)
  @ApiOkResponse({ description: 'A new API key for the user, shown this once' })
  login(@Req() req: FastifyRequest, @Body() body: LoginBody): Promise<Committed<LoginAnswer>> {
    return this.commandBus.execute(
      new LoginCommand(httpOrigin(req, systemActor('system:auth-login')), body),
    );
  }
}
