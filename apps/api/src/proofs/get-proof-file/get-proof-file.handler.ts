/** Reads a proof file's record, applies the read rule, and makes its preview from the blob. */
import { Inject, Optional } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type BlobStore, type ProofMime, previewOf } from '@kob/proof-files';
import {
  APP_CONFIG,
  type AppConfig,
  READ_MODELS,
  type ReadModelsDb,
} from '../../platform/platform.providers';
import { asApiError, blobStoreOf, fileNotFound } from '../shared/proof-files';
import { PROOF_BLOB_STORE, PROOF_FILE_READ_ACCESS } from '../shared/proof-files.tokens';
import { GetProofFileQuery, type ProofFilePreview } from './get-proof-file.query';
import { type ProofFileReadAccess, UploaderOrStaffReadAccess } from './proof-file-access';

@QueryHandler(GetProofFileQuery)
export class GetProofFileHandler implements IQueryHandler<GetProofFileQuery> {
  private readonly blobs: BlobStore;
  private readonly readAccess: ProofFileReadAccess;

  constructor(
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(PROOF_BLOB_STORE) blobs?: BlobStore,
    @Optional() @Inject(PROOF_FILE_READ_ACCESS) readAccess?: ProofFileReadAccess,
  ) {
    this.blobs = blobStoreOf(config, blobs);
    this.readAccess = readAccess ?? new UploaderOrStaffReadAccess(db);
  }

  async execute({ actor, fileId }: GetProofFileQuery): Promise<ProofFilePreview> {
    const row = await this.db
      .selectFrom('proof_files')
      .selectAll()
      .where('id', '=', fileId)
      .executeTakeFirst();
    if (!row) throw fileNotFound();
    await this.readAccess.check(actor, row);
    const stored = await this.blobs.get(row.sha256);
    const preview = await previewOf(stored, row.mime as ProofMime).catch(asApiError);
    const extension = preview.mime === 'application/pdf' ? 'pdf' : 'jpg';
    return { body: preview.body, mime: preview.mime, filename: `${fileId}.${extension}` };
  }
}
