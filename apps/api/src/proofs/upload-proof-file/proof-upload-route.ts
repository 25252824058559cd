/**
 * What both upload routes do (`POST /proofs/files` and its frontend alias `POST /files/proofs`):
 * refuse a malformed Idempotency-Key before a byte is read, stream the file to a temporary file
 * within `PROOF_FILE_MAX_BYTES`, check the alias's `escrow_id` field once the whole body arrived
 * (FRONTEND-CONTRACT §5.3: it may come after the file), dispatch the upload, and remove the
 * temporary file whatever happens.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { HttpCode, Post, applyDecorators } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { isUuid } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { ApiError } from '../../http/api-error';
import { Dispatches } from '../../http/dispatches.decorator';
import { canonicalPath, readIdempotencyKey } from '../../http/command-context';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { AppConfig } from '../../platform/platform.providers';
import { receiveUpload } from './multipart-upload';
import { UploadProofFileCommand } from './upload-proof-file.command';
import type { ProofFileUploadRead } from './upload-proof-file.view';

/** The alias's text field naming the escrow the upload is for (A7). */
export const ESCROW_FIELD = 'escrow_id';

/**
 * What both upload routes wear: `POST`, 201, senders and support (and admin), the upload command,
 * and the OpenAPI description of the multipart body (with the alias's `escrow_id` field).
 */
export const ProofUploadRoute = (o: { escrowField: boolean }) =>
  applyDecorators(
    Post(),
    HttpCode(201),
    Access('sender', 'support'),
    Dispatches(UploadProofFileCommand),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['file'],
        properties: {
          file: { type: 'string', format: 'binary' },
          ...(o.escrowField ? { [ESCROW_FIELD]: { type: 'string', format: 'uuid' } } : {}),
        },
      },
      description: o.escrowField
        ? 'one field `file` (JPEG, PNG, HEIC or PDF, at most PROOF_FILE_MAX_BYTES) and at most one text field `escrow_id`, in either order'
        : 'exactly one field, `file`: JPEG, PNG, HEIC or PDF, at most PROOF_FILE_MAX_BYTES',
    }),
    ApiCreatedResponse({
      description:
        '{file_id, sha256, size, mime, exif, storage_key, storage_url, content_type, size_bytes, escrow_id}',
    }),
  );

function escrowIdOf(text: string | null): string | null {
  if (text === null) return null;
  if (!isUuid(text)) {
    throw new ApiError(422, 'VALIDATION_ERROR', `${ESCROW_FIELD} must be a UUID`, {
      fields: { [ESCROW_FIELD]: ['must be a UUID'] },
    });
  }
  return text.toLowerCase();
}

export async function uploadProofFile(
  req: FastifyRequest,
  origin: CommandOrigin,
  deps: { commandBus: CommandBus; config: AppConfig },
  o: { escrowField: boolean },
): Promise<Committed<ProofFileUploadRead>> {
  // A malformed Idempotency-Key is refused before a byte of the file is read; the metadata
  // (and its clock) is made by the handler once the file is stored, as before.
  readIdempotencyKey(req, false);
  const upload = await receiveUpload(req, {
    maxBytes: deps.config.proofFileMaxBytes,
    tmpDir: path.join(deps.config.dataDir, 'tmp', 'uploads'),
    ...(o.escrowField ? { textField: ESCROW_FIELD } : {}),
  });
  try {
    const escrowId = escrowIdOf(upload.text);
    const route = { method: req.method, path: canonicalPath(req) };
    return await deps.commandBus.execute(
      new UploadProofFileCommand(origin, upload.path, route, escrowId),
    );
  } finally {
    await rm(upload.path, { force: true });
  }
}
