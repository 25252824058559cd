/**
 * The proof_files read model: one row per uploaded file, written once from its
 * `proof_file.uploaded.v1` event (a replay inserts nothing twice). It serves the access check of
 * `GET /proofs/files/{id}` and support's lookups (by sha256, by uploader); nothing decides about
 * money from here.
 */
import type { ProofFileEvent } from '@kob/domain';
import { eventProjector, fromStreams, insertOnce } from '../projector-shell';

export const proofFilesProjection = eventProjector<ProofFileEvent>(
  { name: 'proof_files', version: 1, tables: ['proof_files'], reads: fromStreams('proof-file-') },
  async (trx, e) => {
    if (e.type !== 'proof_file.uploaded.v1') return;
    const d = e.data;
    await insertOnce(trx, 'proof_files', {
      id: d.fileId,
      sha256: d.sha256,
      size: d.size,
      mime: d.mime,
      kind: d.kind,
      width: d.width,
      height: d.height,
      page_count: d.pageCount,
      phash: d.phash,
      exif: d.exif === null ? null : JSON.stringify(d.exif),
      uploader_user_id: d.uploaderUserId,
      uploader_key_id: d.uploaderKeyId,
      uploaded_at: d.uploadedAt,
    });
  },
);
