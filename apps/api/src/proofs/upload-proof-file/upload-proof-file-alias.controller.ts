/**
 * `POST /files/proofs` (FRONTEND-CONTRACT D6, §5.3): the frontend's upload, `POST /proofs/files`
 * with one optional text field `escrow_id` (before or after the file). The escrow must be one the
 * caller may read (404, 403 as escrow reads); the upload records it, and a proof using the file
 * on another escrow is refused (A7). Same rules, same handler, same answer as the old route.
 */
import { HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { ApiController } from '../../http/routes';
import { ESCROW_FIELD, uploadProofFile } from './proof-upload-route';
import { UploadProofFileCommand } from './upload-proof-file.command';
import type { ProofFileUploadRead } from './upload-proof-file.view';

@ApiController('proofs', 'files/proofs')
export class UploadProofFileAliasController {
  constructor(
    readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('sender', 'support')
  @Dispatches(UploadProofFileCommand)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary' },
        [ESCROW_FIELD]: { type: 'string', format: 'uuid' },
      },
    },
    description:
      'one field `file` (JPEG, PNG, HEIC or PDF, at most PROOF_FILE_MAX_BYTES) and at most one text field `escrow_id`, in either order',
  })
  @ApiCreatedResponse({
    description:
      '{file_id, sha256, size, mime, exif, storage_key, storage_url, content_type, size_bytes, escrow_id}',
  })
  upload(
    @Req() req: FastifyRequest,
    @Origin() origin: CommandOrigin,
  ): Promise<Committed<ProofFileUploadRead>> {
    return uploadProofFile(req, origin, this, { escrowField: true });
  }
}
