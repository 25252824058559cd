/**
 * Proof files over HTTP (issue 5): `POST /proofs/files` takes one uploaded file (multipart,
 * field `file`), streams it to disk within `PROOF_FILE_MAX_BYTES`, inspects it (type from its
 * bytes, decoded in full, EXIF, perceptual hash), stores it in the content-addressed blob store
 * and appends its record (`proof_file.uploaded.v1` on `proof-file-{id}`, naming the uploader).
 * `GET /proofs/files/{id}` answers an image as an EXIF-free downscaled JPEG preview and a PDF
 * as stored, to the uploader and staff (parties of a proof using the file: see
 * proof-files.access.ts).
 *
 * The blob is stored before the record is appended, so a record never points at missing bytes
 * (a crash in between leaves an unreferenced blob, which is harmless). `Idempotency-Key` is
 * honoured (API-RULES.md §4): the request hash covers the file's sha256, so the same key with
 * the same bytes answers the first record and with other bytes is 422 IDEMPOTENCY_KEY_REUSED.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { Controller, Get, HttpCode, Inject, Optional, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { proofFileDecider } from '@kob/domain';
import { type Actor, assert } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import {
  type BlobStore,
  DirectoryBlobStore,
  FileRejected,
  type ProofMime,
  defaultBlobRoot,
  inspectFile,
  previewOf,
  proofFileLimits,
} from '@kob/proof-files';
import type { ProofFileRow } from '@kob/projections';
import { Access } from '../auth/access.decorator';
import { CurrentActor } from '../auth/access.guard';
import { ApiError } from '../http/api-error';
import {
  canonicalPath,
  commandMetadata,
  readIdempotencyKey,
  requestHash,
} from '../http/command-context';
import { ReadYourWrites } from '../http/read-your-writes';
import { routeId } from '../http/route-id';
import { PLATFORM } from '../tokens';
import { type ProofFileReadAccess, UploaderOrStaffReadAccess } from './proof-files.access';
import { PROOF_BLOB_STORE, PROOF_FILE_READ_ACCESS } from './proof-files.tokens';
import { receiveUpload } from './proof-files.upload';
import { type ProofFileUploadRead, proofFileUploadView } from './proof-files.view';

const fileNotFound = () => new ApiError(404, 'PROOF_FILE_NOT_FOUND', 'Proof file not found.');

@ApiTags('proofs')
@ApiSecurity('X-API-Key')
@Controller('proofs/files')
export class ProofFilesController {
  private readonly blobs: BlobStore;
  private readonly readAccess: ProofFileReadAccess;

  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly ryw: ReadYourWrites,
    @Optional() @Inject(PROOF_BLOB_STORE) blobs?: BlobStore,
    @Optional() @Inject(PROOF_FILE_READ_ACCESS) readAccess?: ProofFileReadAccess,
  ) {
    this.blobs = blobs ?? new DirectoryBlobStore(defaultBlobRoot(platform.config.dataDir));
    this.readAccess = readAccess ?? new UploaderOrStaffReadAccess(platform.db);
  }

  @Post()
  @HttpCode(201)
  @Access('sender', 'support')
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
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<ProofFileUploadRead> {
    const key = readIdempotencyKey(req, false);
    const { config } = this.platform;
    const upload = await receiveUpload(req, {
      maxBytes: config.proofFileMaxBytes,
      tmpDir: path.join(config.dataDir, 'tmp', 'uploads'),
    });
    try {
      const file = await inspectFile(upload.path, {
        pdfTimeoutMs: proofFileLimits.pdfOpenTimeoutMs,
      }).catch((err: unknown) => {
        if (err instanceof FileRejected)
          throw new ApiError(err.status, err.code, err.message, err.details);
        throw err;
      });
      await this.blobs.put(file.sha256, upload.path);
      const metadata = commandMetadata(req, actor, key);
      if (metadata.idempotency) {
        // The body is a stream, not req.body: the request is the file's bytes, named by their hash.
        metadata.idempotency.requestHash = requestHash(req.method, canonicalPath(req), {
          file_sha256: file.sha256,
        });
      }
      const result = await this.platform.commands.executeWithDerivedId({
        decider: proofFileDecider,
        metadata,
        targetStream: (id) => `proof-file-${id}`,
        command: (id) => ({
          type: 'UploadProofFile' as const,
          fileId: id,
          sha256: file.sha256,
          size: file.size,
          mime: file.mime,
          kind: file.kind,
          width: file.width,
          height: file.height,
          pageCount: file.pageCount,
          phash: file.phash,
          exif: file.exif,
          uploaderUserId: actor.kind === 'api_key' ? actor.userId : null,
          uploaderKeyId: actor.kind === 'api_key' ? actor.keyId : null,
          now: metadata.now.toISOString(),
        }),
      });
      await this.ryw.afterCommand(reply, result.position);
      const recorded = result.state.file;
      assert(recorded, 'a proof file command answers with its record');
      return proofFileUploadView(recorded);
    } finally {
      await rm(upload.path, { force: true });
    }
  }

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @ApiProduces('image/jpeg', 'application/pdf')
  @ApiOkResponse({
    description: 'Images: an EXIF-free JPEG preview (longest side 1600 px); PDFs: as stored',
  })
  async preview(
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
  ): Promise<Buffer> {
    const id = routeId(rawId, fileNotFound);
    const row = (await this.platform.db
      .selectFrom('proof_files')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()) as ProofFileRow | undefined;
    if (!row) throw fileNotFound();
    await this.readAccess.check(actor, row);
    const stored = await this.blobs.get(row.sha256);
    const preview = await previewOf(stored, row.mime as ProofMime).catch((err: unknown) => {
      if (err instanceof FileRejected)
        throw new ApiError(err.status, err.code, err.message, err.details);
      throw err;
    });
    const extension = preview.mime === 'application/pdf' ? 'pdf' : 'jpg';
    void reply
      .header('content-type', preview.mime)
      .header('content-disposition', `inline; filename="${id}.${extension}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      // A PDF is served as uploaded: a browser opening it may run none of its scripts or forms.
      .header('content-security-policy', "sandbox; default-src 'none'");
    return preview.body;
  }
}
