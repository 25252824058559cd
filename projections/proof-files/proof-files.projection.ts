/**
 * The proof_files read model: one row per uploaded file, written once from its
 * `proof_file.uploaded.v1` event (a replay inserts nothing twice). It serves the access check of
 * `GET /proofs/files/{id}` and support's lookups (by sha256, by uploader); nothing decides about
 * money from here.
 */
import type { Transaction } from 'kysely';
import type { ProofFileEvent } from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';

export const proofFilesProjection = {
  name: 'proof_files',
  version: 1,
  tables: ['proof_files'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      if (!recorded.streamId.startsWith('proof-file-')) continue;
      const e = recorded as unknown as ProofFileEvent;
      if (e.type !== 'proof_file.uploaded.v1') continue;
      const d = e.data;
      await trx
        .insertInto('proof_files')
        .values({
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
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  },
};
