/**
 * The proofs feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { DecideProofController } from './decide-proof/decide-proof.controller';
import { DecideProofHandler } from './decide-proof/decide-proof.handler';
import { GetProofController } from './get-proof/get-proof.controller';
import { GetProofHandler } from './get-proof/get-proof.handler';
import { GetProofFileController } from './get-proof-file/get-proof-file.controller';
import { GetProofFileHandler } from './get-proof-file/get-proof-file.handler';
import { ListProofsController } from './list-proofs/list-proofs.controller';
import { ListProofsHandler } from './list-proofs/list-proofs.handler';
import { ReviewQueueController } from './review-queue/review-queue.controller';
import { GetReviewQueueHandler } from './review-queue/review-queue.handler';
import { ProofServicesShutdown } from './shared/proof-services.shutdown';
import { SubmitProofController } from './submit-proof/submit-proof.controller';
import { SubmitProofHandler } from './submit-proof/submit-proof.handler';
import { UploadProofFileAliasController } from './upload-proof-file/upload-proof-file-alias.controller';
import { UploadProofFileController } from './upload-proof-file/upload-proof-file.controller';
import { UploadProofFileHandler } from './upload-proof-file/upload-proof-file.handler';

@Module({
  controllers: [
    // `proofs/files` before `proofs/:id`: the file routes are matched first, as before.
    UploadProofFileController,
    UploadProofFileAliasController,
    GetProofFileController,
    SubmitProofController,
    ListProofsController,
    GetProofController,
    DecideProofController,
    ReviewQueueController,
  ],
  providers: [
    ProofServicesShutdown,
    SubmitProofHandler,
    DecideProofHandler,
    UploadProofFileHandler,
    ListProofsHandler,
    GetProofHandler,
    GetProofFileHandler,
    GetReviewQueueHandler,
  ],
})
export class ProofsModule {}
