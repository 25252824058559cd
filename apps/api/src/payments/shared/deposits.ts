/**
 * A deposit, as API-RULES.md §3 and issue 12 say: the client's money counts only once the PSP
 * confirms it, and the PSP is asked only once the deposit's intent is recorded. The steps run
 * holding the escrow stream (`exclusive`, taken by the deposit handler and the recovery step), so
 * deposits on one escrow never race in this process:
 * 1. `escrow.deposit_initiated.v1` is appended (PENDING, counted toward the cap): the rules, and
 *    an Idempotency-Key already used with another request, refuse it here, so a refused deposit
 *    never reaches the PSP; and a deposit the PSP is asked for is always on the stream, where the
 *    recovery job finds it if this process dies before the PSP's answer is recorded;
 * 2. the PSP is asked to collect, with the deposit id (derived from the key and the request) as
 *    its idempotency key, outside any retry loop;
 * 3. its answer is appended: a confirmation at the amount and currency asked for (credited;
 *    refunded at once if the escrow closed meanwhile), a confirmation at any other amount (the
 *    reference is recorded, nothing is credited, DEPOSIT_AMOUNT_MISMATCH is alerted), a decline
 *    (FAILED), a reference the PSP will confirm by webhook, or no answer (stays PENDING). None of
 *    them is a 5xx.
 * A retry with the same key answers with the deposit as it is now, finishing a PENDING one on the
 * way (the PSP is asked again under the same key, so it cannot collect twice); the recovery job
 * does the same for deposits left PENDING without a reference (`recover`).
 */
import {
  escrowDecider,
  type DepositState,
  type Deposit,
  type EscrowCommand,
  type EscrowState,
} from '@kob/domain';
import { DomainError, type Money, assert, newId, uuidV5 } from '@kob/kernel';
import { raiseAlert } from '@kob/platform';
import { depositMismatchAlert } from './payment-alerts';
import type { Position } from '@kob/event-store';
import type { CommandMetadata, CommandResult, Platform, StreamHold } from '@kob/platform';
import {
  type PaymentSender,
  followUp,
  initiatedPaymentIds,
  latestPosition,
} from './payment-sender';
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

function existing(state: EscrowState): EscrowState {
  if (!state.exists) throw new DomainError('ESCROW_NOT_FOUND', 'Escrow not found.', 'not_found');
  return state;
}

/** A deposit's steps as recorded, before the follow-ups outside the escrow's queue (`finish`). */
export interface Recorded {
  result: CommandResult<EscrowState>;
  depositId: string;
  /** A reference this call recorded (its parked webhooks are applied next). */
  pspRef: string | null;
}

export class DepositService {
  constructor(
    private readonly platform: Platform,
    private readonly sender: PaymentSender,
    private readonly onReferenceRecorded: (
      pspRef: string,
      metadata: CommandMetadata,
    ) => Promise<void>,
  ) {}

  /** The recovery job's step: asks the PSP again for a deposit left PENDING without a reference. */
  async recover(
    escrowId: string,
    depositId: string,
    metadata: CommandMetadata,
  ): Promise<DepositRead> {
    const recorded = await this.platform.commands.exclusive(`escrow-${escrowId}`, async (hold) => {
      const escrow = await this.escrow(escrowId);
      const deposit = escrow.deposits.find((d) => d.depositId === depositId);
      if (!deposit)
        throw new DomainError('DEPOSIT_NOT_FOUND', 'the deposit was not recorded', 'not_found');
      if (deposit.status !== 'PENDING' || deposit.pspRef !== null) return null;
      const collected = await this.collect(escrow, depositId, deposit.amount);
      return this.settle(escrow, deposit, collected, metadata, hold);
    });
    if (!recorded) return depositView(await this.escrow(escrowId), depositId);
    return (await this.finish(escrowId, recorded, metadata)).deposit;
  }

  /** The escrow a deposit goes to, as it is now (404 ESCROW_NOT_FOUND). */
  async escrow(escrowId: string): Promise<EscrowState> {
    const { state } = await this.platform.commands.read(`escrow-${escrowId}`, escrowDecider);
    return existing(state);
  }

  /**
   * The escrow a new deposit goes to and what the caller's `check` makes of it (the client, the
   * amount in its currency), without reading the stream when this process has it cached: the
   * initiation's append is conditional on the revision that state was folded to, and a refusal
   * (404 included) is only made on the stream as read (`CommandRunner.readChecked`).
   */
  async escrowChecked<T>(
    escrowId: string,
    check: (escrow: EscrowState) => T,
  ): Promise<{ escrow: EscrowState; checked: T }> {
    const { state, checked } = await this.platform.commands.readChecked(
      `escrow-${escrowId}`,
      escrowDecider,
      (s) => check(existing(s)),
    );
    return { escrow: state, checked };
  }

  /**
   * After `record`, outside the escrow stream's queue (these steps run commands on other streams
   * too): sends the refunds a late confirmation initiated, applies the webhooks parked under the
   * reference just recorded, and answers the escrow and the deposit as they are now.
   */
  async finish(
    escrowId: string,
    recorded: Recorded,
    metadata: CommandMetadata,
  ): Promise<DepositResult> {
    const refunds = initiatedPaymentIds(recorded.result.events);
    const sent = refunds.length ? await this.sender.sendAll(escrowId, refunds, metadata) : null;
    if (recorded.pspRef) await this.onReferenceRecorded(recorded.pspRef, metadata);
    // The command's own state is the answer unless something ran on the stream since.
    const moved = refunds.length > 0 || recorded.pspRef !== null || recorded.result.replayed;
    const state = moved ? await this.escrow(escrowId) : recorded.result.state;
    return {
      state,
      deposit: depositView(state, recorded.depositId),
      position: latestPosition([recorded.result.position, sent]),
    };
  }

  /**
   * Steps 1 to 3 on the escrow as just read, by a caller holding the escrow stream's queue
   * (`CommandRunner.exclusive`), the amount already parsed in the escrow's currency.
   */
  async record(
    escrow: EscrowState,
    amount: Money,
    metadata: CommandMetadata,
    hold: StreamHold,
  ): Promise<Recorded> {
    const idem = metadata.idempotency;
    if (!idem)
      throw new DomainError(
        'IDEMPOTENCY_KEY_REQUIRED',
        'a deposit needs an Idempotency-Key',
        'bad_request',
      );
    // The request hash is part of the PSP's key: a retry with another amount under the same key
    // (after a first attempt refused before anything was recorded) never reuses its outcome.
    const depositId = uuidV5(`deposit\n${idem.scope}\n${idem.key}\n${idem.requestHash}`);
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
    if (known) return this.resume(escrow, base, known, metadata, hold);
    // 1. The intent, before the PSP: the rules and the key are decided by this append.
    const initiated = await this.platform.commands.execute({
      streamId: `escrow-${escrow.escrowId}`,
      decider: escrowDecider,
      command: base,
      metadata,
      hold,
    });
    const deposit = initiated.state.deposits.find((d) => d.depositId === depositId);
    assert(deposit, `deposit ${depositId} is not on its escrow after its initiation`);
    // Another process may have recorded this very deposit first (same key; the answer is then a
    // replay, folded up to its initiation): asking the PSP again under the same id is harmless.
    const fallback: Recorded = { result: initiated, depositId, pspRef: null };
    // 2. The PSP, outside any retry loop, under the deposit id.
    const collected = await this.collect(initiated.state, depositId, deposit.amount);
    // 3. Its answer.
    return this.settle(initiated.state, deposit, collected, metadata, hold, fallback);
  }

  /** The same key again: the first answer, after finishing a deposit the PSP left pending. */
  private async resume(
    escrow: EscrowState,
    base: Deposit,
    known: DepositState,
    metadata: CommandMetadata,
    hold: StreamHold,
  ): Promise<Recorded> {
    // The runner compares the request hash: a different body under this key is 422 here.
    const replay = await this.platform.commands.execute({
      streamId: `escrow-${escrow.escrowId}`,
      decider: escrowDecider,
      command: base,
      metadata,
      hold,
    });
    const fallback = { result: replay, depositId: known.depositId, pspRef: null };
    if (known.status !== 'PENDING') return fallback;
    const collected = await this.collect(escrow, known.depositId, known.amount);
    return this.settle(escrow, known, collected, metadata, hold, fallback);
  }

  /** Applies what the PSP said to a PENDING deposit; an unknown outcome changes nothing. */
  private async settle(
    escrow: EscrowState,
    deposit: DepositState,
    collected: Collected,
    metadata: CommandMetadata,
    hold: StreamHold,
    fallback: Recorded,
  ): Promise<Recorded>;
  private async settle(
    escrow: EscrowState,
    deposit: DepositState,
    collected: Collected,
    metadata: CommandMetadata,
    hold: StreamHold,
  ): Promise<Recorded | null>;
  private async settle(
    escrow: EscrowState,
    deposit: DepositState,
    collected: Collected,
    metadata: CommandMetadata,
    hold: StreamHold,
    fallback: Recorded | null = null,
  ): Promise<Recorded | null> {
    const { escrowId } = escrow;
    const { depositId } = deposit;
    const now = metadata.now.toISOString();
    if (collected.kind === 'confirmed') {
      const reported = { amount: collected.amount, currency: collected.currency };
      const confirm: EscrowCommand = {
        type: 'ConfirmDeposit',
        escrowId,
        depositId,
        pspRef: collected.pspRef,
        reported,
        refundPaymentId: newId(),
        now,
      };
      try {
        return await this.apply(escrow, deposit, confirm, collected.pspRef, metadata, hold);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'DEPOSIT_AMOUNT_MISMATCH')) throw err;
        // Another amount or currency than asked: nothing is credited; the reference is kept (so
        // the recovery job stops asking and a webhook finds the deposit) and a person is told.
        await this.alertMismatch(escrow, deposit, collected, metadata);
        return deposit.pspRef === null
          ? this.recordReference(escrow, deposit, collected.pspRef, metadata, hold)
          : fallback;
      }
    }
    if (collected.kind === 'pending' && deposit.pspRef === null) {
      // Unanswered at first, accepted now: record and reserve the reference the webhook will name.
      return this.recordReference(escrow, deposit, collected.pspRef, metadata, hold);
    }
    if (collected.kind === 'declined') {
      return this.apply(
        escrow,
        deposit,
        { type: 'FailDeposit', escrowId, depositId, reason: collected.reason, now },
        null,
        metadata,
        hold,
      );
    }
    return fallback;
  }

  /** Records (and reserves) the PSP reference of a deposit it has not confirmed. */
  private recordReference(
    escrow: EscrowState,
    deposit: DepositState,
    pspRef: string,
    metadata: CommandMetadata,
    hold: StreamHold,
  ): Promise<Recorded> {
    const { escrowId } = escrow;
    const { depositId } = deposit;
    const now = metadata.now.toISOString();
    const record: EscrowCommand = {
      type: 'RecordDepositReference',
      escrowId,
      depositId,
      pspRef,
      now,
    };
    return this.apply(escrow, deposit, record, pspRef, metadata, hold);
  }

  /** Appends a step of a deposit, reserving the PSP reference it records (if new to it). */
  private async apply(
    escrow: EscrowState,
    deposit: DepositState,
    command: EscrowCommand,
    pspRef: string | null,
    metadata: CommandMetadata,
    hold: StreamHold,
  ): Promise<Recorded> {
    const { escrowId } = escrow;
    const claims =
      pspRef && deposit.pspRef !== pspRef
        ? [await pspRefClaim(this.platform, pspRef, escrowId, 'deposit', deposit.depositId)]
        : [];
    const result = await this.platform.commands.execute({
      streamId: `escrow-${escrowId}`,
      decider: escrowDecider,
      command,
      metadata: followUp(metadata),
      claims,
      hold,
    });
    const claimed = claims[0];
    return {
      result,
      depositId: deposit.depositId,
      pspRef: claimed && !mayHaveParked(result, claimed) ? null : pspRef,
    };
  }

  /** DEPOSIT_AMOUNT_MISMATCH, once per deposit, reference and reported amount. */
  private async alertMismatch(
    escrow: EscrowState,
    deposit: DepositState,
    collected: Extract<Collected, { kind: 'confirmed' }>,
    metadata: CommandMetadata,
  ): Promise<void> {
    await raiseAlert(
      this.platform,
      depositMismatchAlert(escrow, deposit, {
        pspRef: collected.pspRef,
        amount: collected.amount,
        currency: collected.currency,
      }),
      followUp(metadata),
    );
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
