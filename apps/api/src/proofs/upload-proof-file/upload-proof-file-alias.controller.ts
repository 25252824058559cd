/**
 * `POST /files/proofs` (FRONTEND-CONTRACT D6, §5.3): the frontend's upload, `POST /proofs/files`
 * with one optional text field `escrow_id` (before or after the file). The escrow must be one the
 * caller may read (404, 403 as escrow reads); the upload records it, and a proof using the file
 * on another escrow is refused (A7). Same rules, same handler, same answer as the old route.
 */
import { Inject, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { ApiController } from '../../http/routes';
import { ProofUploadRoute, uploadProofFile } from './proof-upload-route';
import type { ProofFileUploadRead } from './upload-proof-file.view';

@ApiController('proofs', 'files/proofs')
export class UploadProofFileAliasController {
  constructor(
    readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {}

  @ProofUploadRoute({ escrowField: true })
  upload(
    @Req() req: FastifyRequest,
    @Origin() origin: CommandOrigin,
  ): Promise<Committed<ProofFileUploadRead>> {
    return uploadProofFile(req, origin, this, { escrowField: true });
  }
}
