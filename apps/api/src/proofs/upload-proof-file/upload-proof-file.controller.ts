/**
 * `POST /proofs/files` (issue 5) takes one uploaded file (multipart, field `file`), streamed to
 * disk within `PROOF_FILE_MAX_BYTES` (multipart-upload.ts); the handler inspects, stores and
 * records it. The temporary file is removed whatever happens (proof-upload-route.ts, shared with
 * the frontend's `POST /files/proofs`).
 */
import { Inject, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { ProofUploadRoute, uploadProofFile } from './proof-upload-route';
import type { ProofFileUploadRead } from './upload-proof-file.view';
import { ApiController } from '../../http/routes';

@ApiController('proofs', 'proofs/files')
export class UploadProofFileController {
  constructor(
    readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {}

  @ProofUploadRoute({ escrowField: false })
  upload(
    @Req() req: FastifyRequest,
    @Origin() origin: CommandOrigin,
  ): Promise<Committed<ProofFileUploadRead>> {
    return uploadProofFile(req, origin, this, { escrowField: false });
  }
}
