/**
 * The proofs feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { ProofFilesController } from './proof-files.controller';
import { ProofServicesShutdown } from './proof-services.shutdown';
import { ProofsController } from './proofs.controller';

@Module({
  controllers: [ProofFilesController, ProofsController],
  providers: [ProofServicesShutdown],
})
export class ProofsModule {}
