/** The proofs read model as the proof slices read it: one row, the party rule, the answer. */
import type { Actor } from '@kob/kernel';
import { checkParty } from '../../escrows/shared/escrow-access';
import { ApiError } from '../../http/api-error';
import { CommittedRead, ProjectionPending } from '../../http/committed';
import type { EscrowActionResult } from '../../payments/shared';
import type { ReadModelsDb } from '../../platform/platform.providers';
import { type ProofRead, asFirstAnswered, proofRowView, proofStateView } from './proofs.view';

export const proofNotFound = () => new ApiError(404, 'PROOF_NOT_FOUND', 'Proof not found.');

export function findProofRow(db: ReadModelsDb, proofId: string) {
  return db.selectFrom('proofs').selectAll().where('id', '=', proofId).executeTakeFirst();
}

/** The proof row with the party rule applied (in the given role when one is named). */
export async function partyProofRow(
  db: ReadModelsDb,
  actor: Actor,
  proofId: string,
  role?: 'client',
) {
  const row = await findProofRow(db, proofId);
  if (!row) throw proofNotFound();
  checkParty(actor, { clientId: row.client_id, providerId: row.provider_id }, role);
  return row;
}

/** The proof as the read model has it once the command is projected (bounded wait). */
export function committedProof(
  db: ReadModelsDb,
  result: EscrowActionResult,
  proofId: string,
  options: { submission?: boolean } = {},
): CommittedRead<ProofRead | ProjectionPending<ProofRead>> {
  return new CommittedRead(async () => {
    const row = await findProofRow(db, proofId);
    // A repeated submission under the same Idempotency-Key answers as the first time, not with
    // today's status (a decision's repeat answers the row, which holds that decision).
    if (row)
      return result.replayed && options.submission
        ? asFirstAnswered(proofRowView(row), result.state, proofId)
        : proofRowView(row);
    // Recorded (and maybe paid) but not projected yet: the stream's view, never an error.
    const proof = result.state.proofs.find((p) => p.proofId === proofId);
    if (!proof) throw proofNotFound();
    return new ProjectionPending(proofStateView(result.state, proof));
  }, result.position);
}
