import type { Selectable } from 'kysely';
import type { Int8, Json, Timestamp } from '../column-types';
import type { ProofFileExif } from '@kob/domain';

export interface ProofFilesTable {
  id: string;
  sha256: string;
  size: Int8;
  mime: string;
  kind: string;
  width: number | null;
  height: number | null;
  page_count: number | null;
  phash: string | null;
  exif: Json<ProofFileExif> | null;
  uploader_user_id: string | null;
  uploader_key_id: string | null;
  uploaded_at: Timestamp;
}

export type ProofFileRow = Selectable<ProofFilesTable>;
