/**
 * The proof_files read model: one row per uploaded file, written once from its
 * `proof_file.uploaded.v1` event (a replay inserts nothing twice). It serves the access check of
 * `GET /proofs/files/{id}` and support's lookups (by sha256, by uploader); nothing decides about
 * money from here.
 */
import type { ProofFileEvent } from '@kob/domain';
import { columnsFrom, eventProjector, fromStreams, insertOnce } from '../projector-shell';

export const proofFilesProjection = eventProjector<ProofFileEvent>(
  { name: 'proof_files', version: 1, tables: ['proof_files'], reads: fromStreams('proof-file-') },
  {
    'proof_file.uploaded.v1': (trx, d) =>
      insertOnce(trx, 'proof_files', {
        id: d.fileId,
        ...columnsFrom(d, [
          'sha256',
          'size',
          'mime',
          'kind',
          'width',
          'height',
          'pageCount',
          'phash',
        ]),
        exif: d.exif === null ? null : JSON.stringify(d.exif),
        ...columnsFrom(d, ['uploaderUserId', 'uploaderKeyId', 'uploadedAt']),
      }),
  },
);
