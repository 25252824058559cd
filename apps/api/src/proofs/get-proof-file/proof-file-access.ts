/**
 * Who may read an uploaded proof file (`GET /proofs/files/{id}`, API-RULES.md §1): support,
 * auditor and admin; the uploader (the same user, or the same key when it has no user); and,
 * once the file is attached to a proof, that escrow's parties (through the proofs read model,
 * which copies each proof's escrow parties). Another implementation can be provided under the
 * `PROOF_FILE_READ_ACCESS` token.
 */
import type { ReadModelsDb } from '../../platform/platform.providers';
import type { Actor } from '@kob/kernel';
import { ApiError } from '../../http/api-error';

/** The part of a file record the rule looks at. */
export interface ProofFileAccessRecord {
  id: string;
  uploader_user_id: string | null;
  uploader_key_id: string | null;
}

export interface ProofFileReadAccess {
  /** Resolves when `actor` may read `file`; otherwise rejects with a 403 ApiError. */
  check(actor: Actor, file: ProofFileAccessRecord): Promise<void>;
}

const STAFF_SCOPES = new Set(['support', 'auditor', 'admin']);

export class UploaderOrStaffReadAccess implements ProofFileReadAccess {
  constructor(private readonly db: ReadModelsDb | null = null) {}

  async check(actor: Actor, file: ProofFileAccessRecord): Promise<void> {
    if (actor.kind !== 'api_key') return; // the legacy development key is admin
    if (STAFF_SCOPES.has(actor.scope)) return;
    if (isUploader(actor, file)) return;
    if (await this.viaAttachedProof(actor, file)) return;
    throw new ApiError(
      403,
      'NOT_FILE_UPLOADER',
      'only the uploader (or support, auditor, admin) may read this file',
    );
  }

  /** A party (client or provider) of an escrow with a proof that uses this file. */
  protected async viaAttachedProof(
    actor: Actor & { kind: 'api_key' },
    file: ProofFileAccessRecord,
  ): Promise<boolean> {
    if (!this.db || !actor.userId) return false;
    const userId = actor.userId;
    const row = await this.db
      .selectFrom('proofs')
      .select('id')
      .where('file_id', '=', file.id)
      .where((eb) => eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]))
      .executeTakeFirst();
    return row !== undefined;
  }
}

/** The same user; or, for a key without a user, the very key that uploaded. */
export function isUploader(
  actor: Actor & { kind: 'api_key' },
  file: ProofFileAccessRecord,
): boolean {
  if (file.uploader_user_id !== null) return actor.userId === file.uploader_user_id;
  return file.uploader_key_id !== null && actor.keyId === file.uploader_key_id;
}
