/**
 * The Mandates feature (API-RULES.md §1, KOBATELA-SPEC.md §2.8, §4.13): usage mandates, their
 * creation, reads and expiry cleanup; its controllers, command handlers and query handlers.
 * Commands decide on the `mandate-{id}` stream; `GET /mandates/{id}` folds the stream (fresh),
 * the list reads the read model.
 */
import { Module } from '@nestjs/common';
import { mandateServicesProvider } from './shared/mandate-services.provider';
import { CleanupMandatesController } from './cleanup-mandates/cleanup-mandates.controller';
import { CleanupMandatesHandler } from './cleanup-mandates/cleanup-mandates.handler';
import { CreateMandateController } from './create-mandate/create-mandate.controller';
import { CreateMandateHandler } from './create-mandate/create-mandate.handler';
import { GetMandateController } from './get-mandate/get-mandate.controller';
import { GetMandateHandler } from './get-mandate/get-mandate.handler';
import { ListMandatesController } from './list-mandates/list-mandates.controller';
import { ListMandatesHandler } from './list-mandates/list-mandates.handler';

@Module({
  controllers: [
    CreateMandateController,
    CleanupMandatesController,
    ListMandatesController,
    GetMandateController,
  ],
  providers: [
    mandateServicesProvider,
    CreateMandateHandler,
    CleanupMandatesHandler,
    ListMandatesHandler,
    GetMandateHandler,
  ],
})
export class MandatesModule {}
