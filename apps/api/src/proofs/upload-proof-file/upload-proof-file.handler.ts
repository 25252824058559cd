/**
 * A proof file: inspected (type from its bytes, decoded in full, EXIF, perceptual hash), stored
 * in the content-addressed blob store, then recorded (`proof_file.uploaded.v1` on
 * `proof-file-{id}`, naming the uploader). The blob is stored before the record is appended, so
 * a record never points at missing bytes (a crash in between leaves an unreferenced blob, which
 * is harmless). `Idempotency-Key` is honoured (API-RULES.md §4): the request hash covers the
 * file's sha256, so the same key with the same bytes answers the first record and with other
 * bytes is 422 IDEMPOTENCY_KEY_REUSED. An upload for an escrow (`escrow_id`, A7) is checked
 * first, as an escrow read (404, 403 to a sender not a party), and recorded with the file, so a
 * refused one stores nothing.
 */
import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { escrowDecider, proofFileDecider } from '@kob/domain';
import { type Actor, assert } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { type BlobStore, type InspectedFile, inspectFile, proofFileLimits } from '@kob/proof-files';
import { checkParty } from '../../escrows/shared/escrow-access';
import { escrowNotFound } from '../../escrows/shared/escrow-errors';
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

  async execute({ origin, uploadPath, route, escrowId }: UploadProofFileCommand) {
    if (escrowId !== null) await this.checkEscrow(origin.actor, escrowId);
    const file = await inspectFile(uploadPath, {
      pdfTimeoutMs: proofFileLimits.pdfOpenTimeoutMs,
    }).catch(asApiError);
    await this.blobs.put(file.sha256, uploadPath);
    const metadata = origin.metadata('optional');
    if (metadata.idempotency) {
      // The body is a stream, not req.body: the request is the file's bytes, named by their hash.
      metadata.idempotency.requestHash = requestHash(route.method, route.path, {
        file_sha256: file.sha256,
        ...(escrowId === null ? {} : { escrow_id: escrowId }),
      });
    }
    const now = metadata.now.toISOString();
    const result = await this.commands.executeWithDerivedId({
      decider: proofFileDecider,
      metadata,
      targetStream: (id) => `proof-file-${id}`,
      command: (id) => uploadCommand(id, file, origin.actor, escrowId, now),
    });
    const recorded = result.state.file;
    assert(recorded, 'a proof file command answers with its record');
    return new Committed(proofFileUploadView(recorded), result.position);
  }

  /** The upload's escrow, read as an escrow read reads it: it exists and the caller is a party. */
  private async checkEscrow(actor: Actor, escrowId: string): Promise<void> {
    const { state } = await this.commands.read(`escrow-${escrowId}`, escrowDecider);
    if (!state.exists) throw escrowNotFound();
    checkParty(actor, state);
  }
}

function uploadCommand(
  fileId: string,
  file: InspectedFile,
  actor: Actor,
  escrowId: string | null,
  now: string,
) {
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
    // Only an upload made for an escrow carries the field (older records have none).
    ...(escrowId === null ? {} : { escrowId }),
    now,
  };
}
