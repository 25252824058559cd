/**
 * `POST /proofs/files` (issue 5) takes one uploaded file (multipart, field `file`), streamed to
 * disk within `PROOF_FILE_MAX_BYTES` (multipart-upload.ts); the handler inspects, stores and
 * records it. The temporary file is removed whatever happens.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import { canonicalPath, readIdempotencyKey } from '../../http/command-context';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { receiveUpload } from './multipart-upload';
import { UploadProofFileCommand } from './upload-proof-file.command';
import type { ProofFileUploadRead } from './upload-proof-file.view';
import { ApiController } from '../../http/routes';

@ApiController('proofs', 'proofs/files')
export class UploadProofFileController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
  @ApiCreatedResponse({ description: '{file_id, sha256, size, mime, exif}' })
  async upload(
    @Req() req: FastifyRequest,
    @Origin() origin: CommandOrigin,
  ): Promise<Committed<ProofFileUploadRead>> {
    // A malformed Idempotency-Key is refused before a byte of the file is read; the metadata
    // (and its clock) is made by the handler once the file is stored, as before.
    readIdempotencyKey(req, false);
    const upload = await receiveUpload(req, {
      maxBytes: this.config.proofFileMaxBytes,
      tmpDir: path.join(this.config.dataDir, 'tmp', 'uploads'),
    });
    try {
      const route = { method: req.method, path: canonicalPath(req) };
      return await this.commandBus.execute(new UploadProofFileCommand(origin, upload.path, route));
    } finally {
      await rm(upload.path, { force: true });
    }
  }
}
