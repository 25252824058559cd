/**
 * How an upload is answered: `{file_id, sha256, size, mime, exif}` (issue 5) and, under the
 * frontend's names (FRONTEND-CONTRACT D6, A10), `storage_key` (= `file_id`), `storage_url` (the
 * path that serves it), `content_type` (= `mime`), `size_bytes` (= `size`), and the escrow the
 * upload was made for (`escrow_id`, or null).
 */
import type { ProofFileExif, ProofFileUploadedData } from '@kob/domain';
import { proofFileUrl } from '../shared/proofs.view';

export interface ProofFileUploadRead {
  file_id: string;
  sha256: string;
  size: number;
  mime: string;
  exif: ProofFileExif | null;
  storage_key: string;
  storage_url: string;
  content_type: string;
  size_bytes: number;
  escrow_id: string | null;
}

export function proofFileUploadView(file: ProofFileUploadedData): ProofFileUploadRead {
  return {
    file_id: file.fileId,
    sha256: file.sha256,
    size: file.size,
    mime: file.mime,
    exif: file.exif,
    storage_key: file.fileId,
    storage_url: proofFileUrl(file.fileId),
    content_type: file.mime,
    size_bytes: file.size,
    escrow_id: file.escrowId ?? null,
  };
}
