import type { Selectable } from 'kysely';
import type { ProofFileExif } from '@kob/domain';

export interface ProofFilesTable {
  id: string;
  sha256: string;
  /** bigint: pg returns it as a string. */
  size: string;
  mime: string;
  kind: string;
  width: number | null;
  height: number | null;
  page_count: number | null;
  phash: string | null;
  exif: ProofFileExif | null;
  uploader_user_id: string | null;
  uploader_key_id: string | null;
  uploaded_at: Date;
}

export type ProofFileRow = Selectable<ProofFilesTable>;
