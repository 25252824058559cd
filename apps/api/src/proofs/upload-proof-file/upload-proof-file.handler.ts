/**
 * A proof file: inspected (type from its bytes, decoded in full, EXIF, perceptual hash), stored
 * in the content-addressed blob store, then recorded (`proof_file.uploaded.v1` on
 * `proof-file-{id}`, naming the uploader). The blob is stored before the record is appended, so
 * a record never points at missing bytes (a crash in between leaves an unreferenced blob, which
 * is harmless). `Idempotency-Key` is honoured (API-RULES.md §4): the request hash covers the
 * file's sha256, so the same key with the same bytes answers the first record and with other
 * bytes is 422 IDEMPOTENCY_KEY_REUSED.
 */
import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { proofFileDecider } from '@kob/domain';
import { type Actor, assert } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { type BlobStore, type InspectedFile, inspectFile, proofFileLimits } from '@kob/proof-files';
import { requestHash } from '../../http/command-context';
import { Committed } from '../../http/committed';
import { APP_CONFIG, type AppConfig } from '../../platform/platform.providers';
import { asApiError, blobStoreOf } from '../shared/proof-files';
import { PROOF_BLOB_STORE } from '../shared/proof-files.tokens';
import { UploadProofFileCommand } from './upload-proof-file.command';
import { proofFileUploadView } from './upload-proof-file.view';

@CommandHandler(UploadProofFileCommand)
export class UploadProofFileHandler implements ICommandHandler<UploadProofFileCommand> {
  private readonly blobs: BlobStore;

  constructor(
    private readonly commands: CommandRunner,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(PROOF_BLOB_STORE) blobs?: BlobStore,
  ) {
    this.blobs = blobStoreOf(config, blobs);
  }

  async execute({ origin, uploadPath, route }: UploadProofFileCommand) {
    const file = await inspectFile(uploadPath, {
      pdfTimeoutMs: proofFileLimits.pdfOpenTimeoutMs,
    }).catch(asApiError);
    await this.blobs.put(file.sha256, uploadPath);
    const metadata = origin.metadata('optional');
    if (metadata.idempotency) {
      // The body is a stream, not req.body: the request is the file's bytes, named by their hash.
      metadata.idempotency.requestHash = requestHash(route.method, route.path, {
        file_sha256: file.sha256,
      });
    }
    const now = metadata.now.toISOString();
    const result = await this.commands.executeWithDerivedId({
      decider: proofFileDecider,
      metadata,
      targetStream: (id) => `proof-file-${id}`,
      command: (id) => uploadCommand(id, file, origin.actor, now),
    });
    const recorded = result.state.file;
    assert(recorded, 'a proof file command answers with its record');
    return new Committed(proofFileUploadView(recorded), result.position);
  }
}

function uploadCommand(fileId: string, file: InspectedFile, actor: Actor, now: string) {
  return {
    type: 'UploadProofFile' as const,
    fileId,
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
    now,
  };
}
