/**
 * The identity feature (users and API keys): its controllers, command handlers and query
 * handlers, and the first start's admin key (issued by the issue-api-key handler).
 */
import { Module } from '@nestjs/common';
import { BootstrapAdminKey } from './bootstrap-admin-key';
import { NumberExistingUsers } from './number-existing-users';
import { CreateUserController } from './create-user/create-user.controller';
import { CreateUserHandler } from './create-user/create-user.handler';
import { GetMeController } from './get-me/get-me.controller';
import { GetMeHandler } from './get-me/get-me.handler';
import { EmailLoginEnabled, LoginController } from './login/login.controller';
import { LoginHandler } from './login/login.handler';
import { GetApiKeyController } from './get-api-key/get-api-key.controller';
import { GetApiKeyHandler } from './get-api-key/get-api-key.handler';
import { GetUserController } from './get-user/get-user.controller';
import { GetUserHandler } from './get-user/get-user.handler';
import { IssueApiKeyController } from './issue-api-key/issue-api-key.controller';
import { IssueApiKeyHandler } from './issue-api-key/issue-api-key.handler';
import { ListApiKeysController } from './list-api-keys/list-api-keys.controller';
import { ListApiKeysHandler } from './list-api-keys/list-api-keys.handler';
import { ListUsersController } from './list-users/list-users.controller';
import { ListUsersHandler } from './list-users/list-users.handler';
import { RevokeApiKeyController } from './revoke-api-key/revoke-api-key.controller';
import { RevokeApiKeyHandler } from './revoke-api-key/revoke-api-key.handler';
import { UpdateUserController } from './update-user/update-user.controller';
import { UpdateUserHandler } from './update-user/update-user.handler';

@Module({
  controllers: [
    CreateUserController,
    ListUsersController,
    GetUserController,
    UpdateUserController,
    IssueApiKeyController,
    ListApiKeysController,
    GetApiKeyController,
    RevokeApiKeyController,
    LoginController,
    GetMeController,
  ],
  providers: [
    LoginHandler,
    EmailLoginEnabled,
    GetMeHandler,
    CreateUserHandler,
    ListUsersHandler,
    GetUserHandler,
    UpdateUserHandler,
    IssueApiKeyHandler,
    ListApiKeysHandler,
    GetApiKeyHandler,
    RevokeApiKeyHandler,
    BootstrapAdminKey,
    NumberExistingUsers,
  ],
})
export class IdentityModule {}
