/**
 * The identity feature (users and API keys): its controllers, command handlers and query
 * handlers, and the first start's admin key.
 */
import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { BootstrapAdminKey } from './bootstrap-admin-key';
import { UsersController } from './users.controller';

@Module({
  controllers: [UsersController, ApiKeysController],
  providers: [BootstrapAdminKey],
})
export class IdentityModule {}
