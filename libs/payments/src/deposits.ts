/**
 * A deposit, as API-RULES.md §3 says: the client's money counts only once the PSP confirms it.
 * The PSP step runs holding the escrow stream (`exclusive`), so deposits on one escrow never
 * race in this process:
 * 1. the rules are checked on the current state first (a deposit above the total never reaches
 *    the PSP);
 * 2. the PSP is asked to collect, with the deposit id (derived from the Idempotency-Key and the
 *    request) as its idempotency key, outside any retry loop;
 * 3. one append records the initiation with its outcome and reserves the PSP reference: the
 *    simulator's synchronous confirmation, a decline (FAILED), a PSP that will confirm by webhook
 *    (PENDING with its reference), or no answer (PENDING). None of them is a 5xx.
 * If the money was collected but the escrow can no longer keep it (another process's deposit
 * filled it, or it closed, between steps 1 and 3), the same append records it and starts its
 * refund, which is sent after the stream is released. A retry with the same key answers with the
 * deposit as it is now, finishing a PENDING one on the way (the PSP is asked again under the same
 * key, so it cannot collect twice).
 */
import { escrowDecider, type Deposit, type EscrowState } from '../../domain/src';
import { DomainError, type Money, newId, uuidV5 } from '../../kernel/src';
import type { Position } from '../../event-store/src';
import type { CommandMetadata, CommandResult, Platform } from '../../platform/src';
import { PspDeclinedError, PspTimeoutError } from '../../psp/src';
import { type PaymentSender, followUp, initiatedPaymentIds, latestPosition } from './payment-sender';
import { pspRefClaim } from './psp-refs';

export interface DepositRead {
  id: string;
  amount: string;
  /** REFUNDED: collected, but the escrow could no longer take it, so it was given back. */
  status: 'PENDING' | 'CONFIRMED' | 'FAILED' | 'REFUNDED';
  psp_ref: string | null;
  refund_payment_id: string | null;
}

export interface DepositResult {
  state: EscrowState;
  deposit: DepositRead;
  position: Position | null;
}

type Collected =
  | { kind: 'confirmed'; pspRef: string }
  | { kind: 'pending'; pspRef: string }
  | { kind: 'declined'; reason: string }
  | { kind: 'unknown' };

export function depositView(state: EscrowState, depositId: string): DepositRead {
  const d = state.deposits.find((x) => x.depositId === depositId);
  if (!d) throw new DomainError('DEPOSIT_NOT_FOUND', 'the deposit was not recorded', 'not_found');
  return {
    id: d.depositId,
    amount: d.amount,
    status: d.refundPaymentId ? 'REFUNDED' : d.status,
    psp_ref: d.pspRef,
    refund_payment_id: d.refundPaymentId,
  };
}

interface Recorded {
  result: CommandResult<EscrowState>;
  depositId: string;
  pspRef: string | null;
}

export class DepositService {
  constructor(
    private readonly platform: Platform,
    private readonly sender: PaymentSender,
    private readonly onReferenceRecorded: (pspRef: string, metadata: CommandMetadata) => Promise<void>,
  ) {}

  /**
   * `prepare` runs on the escrow's current state inside the stream's queue: it checks the
   * caller's role and parses the amount (throwing the HTTP edge's errors).
   */
  async deposit(escrowId: string, prepare: (state: EscrowState) => Money, metadata: CommandMetadata): Promise<DepositResult> {
    const streamId = `escrow-${escrowId}`;
    const recorded = await this.platform.commands.exclusive(streamId, async () => {
      const { state } = await this.platform.commands.read(streamId, escrowDecider);
      if (!state.exists) throw new DomainError('ESCROW_NOT_FOUND', 'Escrow not found.', 'not_found');
      return this.record(state, prepare(state), metadata);
    });
    // Outside the stream's queue: these steps run commands on other streams too.
    const refunds = initiatedPaymentIds(recorded.result.events);
    const sent = refunds.length ? await this.sender.sendAll(escrowId, refunds, metadata) : null;
    if (recorded.pspRef) await this.onReferenceRecorded(recorded.pspRef, metadata);
    const { state } = await this.platform.commands.read(streamId, escrowDecider);
    return { state, deposit: depositView(state, recorded.depositId), position: latestPosition([recorded.result.position, sent]) };
  }

  private async record(escrow: EscrowState, amount: Money, metadata: CommandMetadata): Promise<Recorded> {
    const idem = metadata.idempotency;
    if (!idem) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'a deposit needs an Idempotency-Key', 'bad_request');
    // The request hash is part of the PSP's key: a retry with another amount under the same key
    // (after a first attempt that left nothing recorded) never reuses the first outcome.
    const depositId = uuidV5(`deposit\n${idem.scope}\n${idem.key}\n${idem.requestHash}`);
    const streamId = `escrow-${escrow.escrowId}`;
    const base: Deposit = {
      type: 'Deposit',
      escrowId: escrow.escrowId,
      depositId,
      amount: amount.toString(),
      pspConfirmed: null,
      refundPaymentId: newId(),
      now: metadata.now.toISOString(),
    };
    if (escrow.deposits.some((d) => d.depositId === depositId)) return this.resume(escrow, base, amount, metadata);
    // 1. The rules on the current state: refused deposits never reach the PSP.
    escrowDecider.decide(base, escrow);
    // 2. The PSP, outside any retry loop.
    const collected = await this.collect(depositId, amount, escrow.escrowId);
    // 3. One append: the initiation with its outcome, the reference reserved.
    const pspRef = collected.kind === 'confirmed' || collected.kind === 'pending' ? collected.pspRef : null;
    const result = await this.platform.commands.execute({
      streamId,
      decider: escrowDecider,
      command: {
        ...base,
        pspConfirmed: collected.kind === 'confirmed' ? { pspRef: collected.pspRef } : null,
        pspDeclined: collected.kind === 'declined' ? { reason: collected.reason } : null,
        pspPendingRef: collected.kind === 'pending' ? collected.pspRef : null,
      },
      metadata,
      claims: pspRef ? [pspRefClaim(pspRef, escrow.escrowId, 'deposit', depositId)] : [],
    });
    return { result, depositId, pspRef };
  }

  /** The same key again: the first answer, after finishing a deposit the PSP left pending. */
  private async resume(escrow: EscrowState, base: Deposit, amount: Money, metadata: CommandMetadata): Promise<Recorded> {
    const { depositId, escrowId } = base;
    const streamId = `escrow-${escrowId}`;
    // The runner compares the request hash: a different body under this key is 422 here.
    const replay = await this.platform.commands.execute({ streamId, decider: escrowDecider, command: base, metadata });
    const current = escrow.deposits.find((d) => d.depositId === depositId)!;
    if (current.status !== 'PENDING') return { result: replay, depositId, pspRef: null };
    const collected = await this.collect(depositId, amount, escrowId);
    const now = metadata.now.toISOString();
    if (collected.kind === 'confirmed') {
      const command = { type: 'ConfirmDeposit' as const, escrowId, depositId, pspRef: collected.pspRef, refundPaymentId: base.refundPaymentId, now };
      const claims = current.pspRef === collected.pspRef ? [] : [pspRefClaim(collected.pspRef, escrowId, 'deposit', depositId)];
      const result = await this.platform.commands.execute({ streamId, decider: escrowDecider, command, metadata: followUp(metadata), claims });
      return { result, depositId, pspRef: collected.pspRef };
    }
    if (collected.kind === 'pending' && current.pspRef === null) {
      // Unanswered at first, accepted now: record and reserve the reference the webhook will name.
      const command = { type: 'RecordDepositReference' as const, escrowId, depositId, pspRef: collected.pspRef, now };
      const claims = [pspRefClaim(collected.pspRef, escrowId, 'deposit', depositId)];
      const result = await this.platform.commands.execute({ streamId, decider: escrowDecider, command, metadata: followUp(metadata), claims });
      return { result, depositId, pspRef: collected.pspRef };
    }
    if (collected.kind === 'declined') {
      const command = { type: 'FailDeposit' as const, escrowId, depositId, reason: collected.reason, now };
      const result = await this.platform.commands.execute({ streamId, decider: escrowDecider, command, metadata: followUp(metadata) });
      return { result, depositId, pspRef: null };
    }
    return { result: replay, depositId, pspRef: null };
  }

  private async collect(depositId: string, amount: Money, escrowId: string): Promise<Collected> {
    const psp = this.platform.psp;
    try {
      const outcome = await psp.collect({
        idempotencyKey: depositId,
        amount: amount.toString(),
        currency: amount.currency,
        reference: `escrow-${escrowId}`,
      });
      if (typeof outcome?.pspRef !== 'string' || outcome.pspRef.length === 0) throw new Error('the PSP answered without a reference');
      return outcome.status === 'confirmed' ? { kind: 'confirmed', pspRef: outcome.pspRef } : { kind: 'pending', pspRef: outcome.pspRef };
    } catch (err) {
      if (err instanceof PspDeclinedError) return { kind: 'declined', reason: err.reason || 'declined' };
      // No answer, or an answer we cannot read: the outcome is unknown, the deposit stays
      // PENDING (a retry with the same key asks again; the PSP cannot collect twice).
      if (!(err instanceof PspTimeoutError)) psp.lastError = (err as Error).message;
      return { kind: 'unknown' };
    }
  }
}
