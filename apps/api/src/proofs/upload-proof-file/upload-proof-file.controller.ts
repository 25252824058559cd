/**
 * `POST /proofs/files` (issue 5) takes one uploaded file (multipart, field `file`), streamed to
 * disk within `PROOF_FILE_MAX_BYTES` (multipart-upload.ts); the handler inspects, stores and
 * records it. The temporary file is removed whatever happens (proof-upload-route.ts, shared with
 * the frontend's `POST /files/proofs`).
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
import { uploadProofFile } from './proof-upload-route';
import { UploadProofFileCommand } from './upload-proof-file.command';
import type { ProofFileUploadRead } from './upload-proof-file.view';
import { ApiController } from '../../http/routes';

@ApiController('proofs', 'proofs/files')
export class UploadProofFileController {
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
      properties: { file: { type: 'string', format: 'binary' } },
    },
    description: 'exactly one field, `file`: JPEG, PNG, HEIC or PDF, at most PROOF_FILE_MAX_BYTES',
  })
  @ApiCreatedResponse({
    description:
      '{file_id, sha256, size, mime, exif, storage_key, storage_url, content_type, size_bytes, escrow_id}',
  })
  upload(
    @Req() req: FastifyRequest,
    @Origin() origin: CommandOrigin,
  ): Promise<Committed<ProofFileUploadRead>> {
    return uploadProofFile(req, origin, this, { escrowField: false });
  }
}
