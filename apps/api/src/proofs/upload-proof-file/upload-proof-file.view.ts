/** How an upload is answered: `{file_id, sha256, size, mime, exif}` (issue 5). */
import type { ProofFileExif, ProofFileUploadedData } from '@kob/domain';

export interface ProofFileUploadRead {
  file_id: string;
  sha256: string;
  size: number;
  mime: string;
  exif: ProofFileExif | null;
}

export function proofFileUploadView(file: ProofFileUploadedData): ProofFileUploadRead {
  return {
    file_id: file.fileId,
    sha256: file.sha256,
    size: file.size,
    mime: file.mime,
    exif: file.exif,
  };
}
