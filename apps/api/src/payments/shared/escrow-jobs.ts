/**
 * The scheduler's money jobs (API-RULES.md §6 intervals, actor `system:scheduler`):
 * - `payment-recovery`: sends payments left PENDING (a crash between the initiation and the PSP
 *   call, or a PSP that did not answer), under the same idempotency key, so the PSP cannot pay
 *   twice; finishes webhooks whose processing a crash interrupted, or that were parked for a
 *   reference recorded since; and asks the PSP again about deposits it left PENDING without a
 *   reference (same key: it cannot collect twice), recording its confirmation, decline or
 *   reference.
 * - `escrow-deadlines`: runs `check-deadline` on escrows whose deadline passed.
 * The read models are only the to-do list: each item is decided again on its stream, so a stale
 * row or a job overlapping another process's work is harmless. Each run handles a bounded batch.
 */
import { sql } from 'kysely';
import { pspWebhookDecider } from '@kob/domain';
import { DomainError, newId } from '@kob/kernel';
import {
  type JobContext,
  type Platform,
  type ScheduledJob,
  describeCounts as describe,
  eachItem as each,
  systemMetadata,
} from '@kob/platform';
import type { PaymentServices } from './payment-services';

export const escrowJobLimits = {
  recoveryBatchMax: 100,
  deadlineBatchMax: 100,
  /** A younger PENDING payment or webhook may still be in the hands of the request that made it. */
  recoveryMinAgeMs: 5_000,
} as const;

export { systemMetadata };

export function paymentRecoveryJob(platform: Platform, services: PaymentServices): ScheduledJob {
  return {
    name: 'payment-recovery',
    intervalMs: platform.config.schedulerPaymentRecoveryIntervalMs,
    async run(ctx: JobContext) {
      const before = new Date(ctx.now.getTime() - escrowJobLimits.recoveryMinAgeMs);
      const pending = await platform.db
        .selectFrom('payments')
        .select(['id', 'escrow_id'])
        .where('status', '=', 'PENDING')
        .where('initiated_at', '<', before)
        .orderBy('initiated_at')
        .limit(escrowJobLimits.recoveryBatchMax)
        .execute();
      const unanswered = await platform.db
        .selectFrom('deposits')
        .select(['id', 'escrow_id'])
        .where('status', '=', 'PENDING')
        .where('psp_ref', 'is', null)
        .where('initiated_at', '<', before)
        .orderBy('initiated_at')
        .limit(escrowJobLimits.recoveryBatchMax)
        .execute();
      const deposits = await each(
        unanswered,
        (d) => d.id,
        async (d) =>
          (
            await services.deposits.recover(
              d.escrow_id,
              d.id,
              systemMetadata('system:scheduler', ctx.now),
            )
          ).status,
      );
      const payments = await each(
        pending,
        (p) => p.id,
        async (p) =>
          (
            await services.sender.send(
              p.escrow_id,
              p.id,
              systemMetadata('system:scheduler', ctx.now),
            )
          ).payment.status,
      );
      const open = await platform.db
        .selectFrom('psp_webhooks')
        .select(['stream_id', 'status', 'psp_ref'])
        .where('status', 'in', ['received', 'parked'])
        .where('received_at', '<', before)
        .orderBy('received_at')
        .limit(escrowJobLimits.recoveryBatchMax)
        .execute();
      const webhooks = await each(
        open,
        (w) => w.stream_id,
        async (w) => {
          if (
            w.status === 'parked' &&
            !(w.psp_ref && (await services.webhooks.referenceKnown(w.psp_ref)))
          )
            return 'still parked';
          const state = (await platform.commands.read(w.stream_id, pspWebhookDecider)).state;
          return (
            (
              await services.webhooks.process(
                w.stream_id,
                state,
                systemMetadata('psp:webhook', ctx.now),
              )
            ).state.outcome ?? 'received'
          );
        },
      );
      return `${describe('payments', payments)}; ${describe('webhooks', webhooks)}; ${describe('deposits', deposits)}`;
    },
  };
}

export function deadlineJob(platform: Platform, services: PaymentServices): ScheduledJob {
  return {
    name: 'escrow-deadlines',
    intervalMs: platform.config.schedulerDeadlineIntervalMs,
    async run(ctx: JobContext) {
      const due = await platform.db
        .selectFrom('escrows')
        .select('id')
        .where('status', 'in', ['DRAFT', 'FUNDED', 'RELEASABLE'])
        .where('deadline_at', '<=', ctx.now)
        // An escrow told to do nothing at its deadline stays as it is: not work to redo each run.
        .where((eb) =>
          eb.or([
            eb('status', '=', 'DRAFT'),
            sql<boolean>`release_conditions->>'on_deadline' <> 'none'`,
          ]),
        )
        .orderBy('deadline_at')
        .limit(escrowJobLimits.deadlineBatchMax)
        .execute();
      const outcomes = await each(
        due,
        (e) => e.id,
        async (e) => {
          const meta = systemMetadata('system:scheduler', ctx.now);
          const command = {
            type: 'CheckDeadline' as const,
            escrowId: e.id,
            idSeed: newId(),
            now: ctx.now.toISOString(),
          };
          try {
            return (await services.actions.run(e.id, command, meta)).state.status;
          } catch (err) {
            // A to-do row behind its stream (the read model lags): the escrow closed meanwhile.
            if (err instanceof DomainError && err.code === 'ESCROW_CLOSED') return 'already closed';
            throw err;
          }
        },
      );
      return describe('escrows', outcomes);
    },
  };
}

/** Registers the money jobs on the platform's scheduler (before it starts). */
export function registerEscrowJobs(platform: Platform, services: PaymentServices): void {
  platform.scheduler.register(paymentRecoveryJob(platform, services));
  platform.scheduler.register(deadlineJob(platform, services));
}
