/**
 * A deposit, as API-RULES.md §3 says: the client's money counts only once the PSP confirms it.
 * Runs holding the escrow stream (the caller's `exclusive`), so deposits on one escrow never race
 * in this process:
 * 1. the rules are checked on the current state first (a deposit above the total never reaches
 *    the PSP);
 * 2. the PSP is asked to collect, with the deposit id (derived from the Idempotency-Key) as its
 *    idempotency key, outside any retry loop;
 * 3. one append records the initiation and, when the PSP confirmed synchronously (the
 *    simulator), the confirmation, and reserves the PSP reference (the webhook's way back to the
 *    escrow). A decline records the deposit as FAILED; no answer leaves it PENDING. Neither is
 *    a 5xx: the answer says what happened.
 * A retry with the same key answers with the deposit as it is now (not a frozen first answer:
 * a PENDING deposit is finished on the way): the PSP is asked again (same key: it cannot collect
 * twice) and its confirmation or decline is recorded.
 *
 * Not handled yet (payments increment): a deposit the PSP confirmed that another process's
 * deposit pushed over the total between steps 1 and 3 (the append refuses it; the money must
 * be refunded), and confirmations arriving after the escrow closed.
 */
import { escrowDecider, type EscrowState } from '../../../../libs/domain/src';
import { DomainError, type Money, uuidV5 } from '../../../../libs/kernel/src';
import type { Position } from '../../../../libs/event-store/src';
import { PspDeclinedError, PspTimeoutError } from '../../../../libs/psp/src';
import type { CommandMetadata, Platform } from '../../../../libs/platform/src';

export interface DepositRead {
  id: string;
  amount: string;
  status: 'PENDING' | 'CONFIRMED' | 'FAILED';
  psp_ref: string | null;
}

export interface DepositResult {
  state: EscrowState;
  deposit: DepositRead;
  position: Position | null;
}

type Collected = { pspRef: string | null; confirmed: boolean; declined: string | null };

async function collect(platform: Platform, depositId: string, amount: Money, escrowId: string): Promise<Collected> {
  try {
    const outcome = await platform.psp.collect({
      idempotencyKey: depositId,
      amount: amount.toString(),
      currency: amount.currency,
      reference: `escrow-${escrowId}`,
    });
    return { pspRef: outcome.pspRef, confirmed: outcome.status === 'confirmed', declined: null };
  } catch (err) {
    if (err instanceof PspDeclinedError) return { pspRef: null, confirmed: false, declined: err.reason };
    // No answer, or an answer we cannot read: the outcome is unknown, so the deposit stays
    // PENDING (a retry with the same key asks again; the PSP cannot collect twice).
    if (!(err instanceof PspTimeoutError)) platform.psp.lastError = (err as Error).message;
    return { pspRef: null, confirmed: false, declined: null };
  }
}

function view(state: EscrowState, depositId: string): DepositRead {
  const d = state.deposits.find((x) => x.depositId === depositId);
  if (!d) throw new DomainError('DEPOSIT_NOT_FOUND', 'the deposit was not recorded', 'not_found');
  return { id: d.depositId, amount: d.amount, status: d.status, psp_ref: d.pspRef };
}

const refClaim = (pspRef: string, escrowId: string) => ({
  streamId: `psp-ref-${pspRef}`,
  owner: `escrow:${escrowId}`,
  data: { stream: `escrow-${escrowId}` },
  taken: () => new DomainError('PSP_REFERENCE_IN_USE', 'the PSP reused a reference', 'conflict'),
});

export async function collectDeposit(
  platform: Platform,
  escrow: EscrowState,
  amount: Money,
  metadata: CommandMetadata,
): Promise<DepositResult> {
  const idem = metadata.idempotency!;
  // The request hash is part of the PSP's idempotency key: a retry with another amount under the
  // same key (after a first attempt that left nothing recorded) can never reuse the first
  // collection's outcome for a different amount.
  const depositId = uuidV5(`deposit\n${idem.scope}\n${idem.key}\n${idem.requestHash}`);
  const streamId = `escrow-${escrow.escrowId}`;
  const now = metadata.now.toISOString();
  const command = { type: 'Deposit' as const, escrowId: escrow.escrowId, depositId, amount: amount.toString(), now };
  const known = escrow.deposits.some((d) => d.depositId === depositId);
  if (known) return resume(platform, streamId, escrow, depositId, amount, metadata, command);
  // 1. The rules on the current state: refused deposits never reach the PSP.
  escrowDecider.decide({ ...command, pspConfirmed: null }, escrow);
  // 2. The PSP, outside any retry loop.
  const collected = await collect(platform, depositId, amount, escrow.escrowId);
  // 3. One append: initiation with its outcome (confirmation or decline), the reference reserved.
  const result = await platform.commands.execute({
    streamId,
    decider: escrowDecider,
    command: {
      ...command,
      pspConfirmed: collected.confirmed && collected.pspRef ? { pspRef: collected.pspRef } : null,
      pspDeclined: collected.declined !== null ? { reason: collected.declined } : null,
    },
    metadata,
    claims: collected.pspRef ? [refClaim(collected.pspRef, escrow.escrowId)] : [],
  });
  return { state: result.state, deposit: view(result.state, depositId), position: result.position };
}

/** The same key again: the first answer, after finishing a deposit the PSP left pending. */
async function resume(
  platform: Platform,
  streamId: string,
  escrow: EscrowState,
  depositId: string,
  amount: Money,
  metadata: CommandMetadata,
  command: { type: 'Deposit'; escrowId: string; depositId: string; amount: string; now: string },
): Promise<DepositResult> {
  // The runner compares the request hash: a different body under this key is 422 here.
  const replay = await platform.commands.execute({
    streamId,
    decider: escrowDecider,
    command: { ...command, pspConfirmed: null },
    metadata,
  });
  const current = escrow.deposits.find((d) => d.depositId === depositId)!;
  if (current.status !== 'PENDING') return { state: escrow, deposit: view(escrow, depositId), position: replay.position };
  const collected = await collect(platform, depositId, amount, escrow.escrowId);
  const now = metadata.now.toISOString();
  const escrowId = escrow.escrowId;
  const next =
    collected.confirmed && collected.pspRef
      ? { type: 'ConfirmDeposit' as const, escrowId, depositId, pspRef: collected.pspRef, now }
      : collected.declined !== null
        ? { type: 'FailDeposit' as const, escrowId, depositId, reason: collected.declined, now }
        : null;
  if (!next) return { state: escrow, deposit: view(escrow, depositId), position: replay.position };
  const settled = await platform.commands.execute({
    streamId,
    decider: escrowDecider,
    command: next,
    metadata: { ...metadata, idempotency: undefined },
    claims: next.type === 'ConfirmDeposit' ? [refClaim(next.pspRef, escrowId)] : [],
  });
  return { state: settled.state, deposit: view(settled.state, depositId), position: settled.position };
}
