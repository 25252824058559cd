/**
 * A deposit, as API-RULES.md §3 says: the client's money counts only once the PSP confirms it.
 * The PSP step runs holding the escrow stream (`exclusive`), so deposits on one escrow never
 * race in this process:
 * 1. the rules are checked on the current state first, and an Idempotency-Key already used with
 *    another request is refused: a refused deposit never reaches the PSP;
 * 2. the PSP is asked to collect, with the deposit id (derived from the key and the request) as
 *    its idempotency key, outside any retry loop;
 * 3. one append records the initiation with its outcome and reserves the PSP reference: the
 *    simulator's synchronous confirmation, a decline (FAILED), a PSP that will confirm by webhook
 *    (PENDING with its reference), or no answer (PENDING). None of them is a 5xx. Once the PSP
 *    has been asked the deposit is recorded whatever changed meanwhile (another process closed
 *    or filled the escrow): collected money the escrow cannot keep is refunded at once, a pending
 *    one is recorded beyond the cap and refunded when it arrives.
 * A retry with the same key answers with the deposit as it is now, finishing a PENDING one on the
 * way (the PSP is asked again under the same key, so it cannot collect twice); the recovery job
 * does the same for deposits left PENDING without a reference (`recover`).
 */
import { escrowDecider, type DepositState, type Deposit, type EscrowCommand, type EscrowState } from '../../domain/src';
import { DomainError, type Money, newId, uuidV5 } from '../../kernel/src';
import type { Position } from '../../event-store/src';
import type { CommandMetadata, CommandResult, Platform, ReservationClaim } from '../../platform/src';
import { type PaymentSender, followUp, initiatedPaymentIds, latestPosition } from './payment-sender';
import { type Collected, collectAt } from './psp-outcomes';
import { mayHaveParked, pspRefClaim } from './psp-refs';

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
  /** A reference this call recorded (its parked webhooks are applied next). */
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
    const recorded = await this.platform.commands.exclusive(`escrow-${escrowId}`, async () => {
      const escrow = await this.escrow(escrowId);
      return this.record(escrow, prepare(escrow), metadata);
    });
    return this.finish(escrowId, recorded, metadata);
  }

  /** The recovery job's step: asks the PSP again for a deposit left PENDING without a reference. */
  async recover(escrowId: string, depositId: string, metadata: CommandMetadata): Promise<DepositRead> {
    const recorded = await this.platform.commands.exclusive(`escrow-${escrowId}`, async () => {
      const escrow = await this.escrow(escrowId);
      const deposit = escrow.deposits.find((d) => d.depositId === depositId);
      if (!deposit) throw new DomainError('DEPOSIT_NOT_FOUND', 'the deposit was not recorded', 'not_found');
      if (deposit.status !== 'PENDING' || deposit.pspRef !== null) return null;
      const collected = await this.collect(escrow, depositId, deposit.amount);
      return this.settle(escrow, deposit, collected, metadata);
    });
    if (!recorded) return depositView(await this.escrow(escrowId), depositId);
    return (await this.finish(escrowId, recorded, metadata)).deposit;
  }

  private async escrow(escrowId: string): Promise<EscrowState> {
    const { state } = await this.platform.commands.read(`escrow-${escrowId}`, escrowDecider);
    if (!state.exists) throw new DomainError('ESCROW_NOT_FOUND', 'Escrow not found.', 'not_found');
    return state;
  }

  /** Outside the stream's queue: these steps run commands on other streams too. */
  private async finish(escrowId: string, recorded: Recorded, metadata: CommandMetadata): Promise<DepositResult> {
    const refunds = initiatedPaymentIds(recorded.result.events);
    const sent = refunds.length ? await this.sender.sendAll(escrowId, refunds, metadata) : null;
    if (recorded.pspRef) await this.onReferenceRecorded(recorded.pspRef, metadata);
    // The command's own state is the answer unless something ran on the stream since.
    const moved = refunds.length > 0 || recorded.pspRef !== null || recorded.result.replayed;
    const state = moved ? await this.escrow(escrowId) : recorded.result.state;
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
    const known = escrow.deposits.find((d) => d.depositId === depositId);
    if (known) return this.resume(escrow, base, known, metadata);
    // 1. Before the PSP: the key with another request, and the rules, are refused here (on the
    // state `deposit` has just read, holding the stream).
    await this.platform.commands.assertKeyFree(streamId, escrowDecider, idem, { justRead: true });
    escrowDecider.decide(base, escrow);
    // 2. The PSP, outside any retry loop.
    const collected = await this.collect(escrow, depositId, base.amount);
    // 3. One append: the initiation with its outcome, the reference reserved.
    const pspRef = collected.kind === 'confirmed' || collected.kind === 'pending' ? collected.pspRef : null;
    const claim = pspRef ? await pspRefClaim(this.platform, pspRef, escrow.escrowId, 'deposit', depositId) : null;
    const result = await this.platform.commands.execute({
      streamId,
      decider: escrowDecider,
      command: {
        ...base,
        pspAsked: true,
        pspConfirmed: collected.kind === 'confirmed' ? { pspRef: collected.pspRef } : null,
        pspDeclined: collected.kind === 'declined' ? { reason: collected.reason } : null,
        pspPendingRef: collected.kind === 'pending' ? collected.pspRef : null,
      },
      metadata,
      claims: claim ? [claim] : [],
    });
    // Another process recorded this very deposit first (same key): its record stands, and what
    // this call learnt from the PSP finishes it if it is still pending.
    const recorded = result.state.deposits.find((d) => d.depositId === depositId);
    if (result.replayed && recorded?.status === 'PENDING') {
      return this.settle(result.state, recorded, collected, metadata, { result, depositId, pspRef: null });
    }
    // Webhooks can only have parked on a reference whose reservation existed before this claim.
    return { result, depositId, pspRef: claim && mayHaveParked(result, claim) ? pspRef : null };
  }

  /** The same key again: the first answer, after finishing a deposit the PSP left pending. */
  private async resume(escrow: EscrowState, base: Deposit, known: DepositState, metadata: CommandMetadata): Promise<Recorded> {
    // The runner compares the request hash: a different body under this key is 422 here.
    const replay = await this.platform.commands.execute({ streamId: `escrow-${escrow.escrowId}`, decider: escrowDecider, command: base, metadata });
    const fallback = { result: replay, depositId: known.depositId, pspRef: null };
    if (known.status !== 'PENDING') return fallback;
    const collected = await this.collect(escrow, known.depositId, known.amount);
    return this.settle(escrow, known, collected, metadata, fallback);
  }

  /** Applies what the PSP said to a PENDING deposit; an unknown outcome changes nothing. */
  private async settle(escrow: EscrowState, deposit: DepositState, collected: Collected, metadata: CommandMetadata, fallback: Recorded): Promise<Recorded>;
  private async settle(escrow: EscrowState, deposit: DepositState, collected: Collected, metadata: CommandMetadata): Promise<Recorded | null>;
  private async settle(
    escrow: EscrowState,
    deposit: DepositState,
    collected: Collected,
    metadata: CommandMetadata,
    fallback: Recorded | null = null,
  ): Promise<Recorded | null> {
    const { escrowId } = escrow;
    const { depositId } = deposit;
    const now = metadata.now.toISOString();
    let command: EscrowCommand | null = null;
    let claims: ReservationClaim[] = [];
    let pspRef: string | null = null;
    if (collected.kind === 'confirmed') {
      command = { type: 'ConfirmDeposit', escrowId, depositId, pspRef: collected.pspRef, refundPaymentId: newId(), now };
      pspRef = collected.pspRef;
    } else if (collected.kind === 'pending' && deposit.pspRef === null) {
      // Unanswered at first, accepted now: record and reserve the reference the webhook will name.
      command = { type: 'RecordDepositReference', escrowId, depositId, pspRef: collected.pspRef, now };
      pspRef = collected.pspRef;
    } else if (collected.kind === 'declined') {
      command = { type: 'FailDeposit', escrowId, depositId, reason: collected.reason, now };
    }
    if (!command) return fallback;
    if (pspRef && deposit.pspRef !== pspRef) claims = [await pspRefClaim(this.platform, pspRef, escrowId, 'deposit', depositId)];
    const result = await this.platform.commands.execute({
      streamId: `escrow-${escrowId}`,
      decider: escrowDecider,
      command,
      metadata: followUp(metadata),
      claims,
    });
    const claimed = claims[0];
    return { result, depositId, pspRef: claimed && !mayHaveParked(result, claimed) ? null : pspRef };
  }

  private collect(escrow: EscrowState, depositId: string, amount: string): Promise<Collected> {
    return collectAt(this.platform.psp, {
      idempotencyKey: depositId,
      amount,
      currency: escrow.currency,
      reference: `escrow-${escrow.escrowId}`,
    });
  }
}
