/** What the proof file slices share: the blob store as configured, the file errors. */
import {
  FileRejected,
  type BlobStore,
  DirectoryBlobStore,
  defaultBlobRoot,
} from '@kob/proof-files';
import { ApiError } from '../../http/api-error';
import type { AppConfig } from '../../platform/platform.providers';

export const fileNotFound = () =>
  new ApiError(404, 'PROOF_FILE_NOT_FOUND', 'Proof file not found.');

/** The provided blob store (PROOF_BLOB_STORE), else the directory store under DATA_DIR. */
export function blobStoreOf(config: AppConfig, provided: BlobStore | undefined): BlobStore {
  return provided ?? new DirectoryBlobStore(defaultBlobRoot(config.dataDir));
}

/** A file the proof-files library refuses, in the envelope's terms; anything else as it is. */
export function asApiError(err: unknown): never {
  if (err instanceof FileRejected)
    throw new ApiError(err.status, err.code, err.message, err.details);
  throw err;
}
