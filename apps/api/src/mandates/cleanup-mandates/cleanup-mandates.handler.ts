/**
 * `POST /mandates/cleanup`: every ACTIVE mandate due at `now`, by rounds of a bounded batch
 * (keyset on (expires_at, id), so a read model that has not caught up cannot loop); each one
 * decided again on its stream (mandates/shared `expire`). Under an Idempotency-Key the count is
 * recorded after the expiries, and a retry answers from it; a crash before the record leaves the
 * key unused, and the retry expires only what is still due.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { mandateCleanupDecider } from '@kob/domain';
import { type Position, comparePositions } from '@kob/event-store';
import { type CommandMetadata, CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { MandateServices, mandateLimits } from '../shared';
import { CleanupMandatesCommand } from './cleanup-mandates.command';

@CommandHandler(CleanupMandatesCommand)
export class CleanupMandatesHandler implements ICommandHandler<CleanupMandatesCommand> {
  constructor(
    private readonly mandates: MandateServices,
    private readonly commands: CommandRunner,
  ) {}

  async execute({ origin }: CleanupMandatesCommand): Promise<Committed<{ expired: number }>> {
    const metadata = origin.metadata('optional');
    if (metadata.idempotency) {
      const first = await this.commands.findDerived({ decider: mandateCleanupDecider, metadata });
      if (first) return new Committed({ expired: first.state.expired }, first.position);
    }
    const { expired, position } = await this.expireDue(metadata);
    if (!metadata.idempotency) return new Committed({ expired: expired.length }, position);
    const record = await this.commands.executeWithDerivedId({
      decider: mandateCleanupDecider,
      metadata,
      targetStream: (id) => `mandate_cleanup-${id}`,
      command: (id) => ({
        type: 'RecordCleanup' as const,
        cleanupId: id,
        mandateIds: expired,
        now: metadata.now.toISOString(),
      }),
    });
    return new Committed({ expired: expired.length }, later(position, record.position));
  }

  /** The rounds: the ids this call expired and the position of the last expiry. */
  private async expireDue(
    metadata: CommandMetadata,
  ): Promise<{ expired: string[]; position: Position | null }> {
    const expired: string[] = [];
    let position: Position | null = null;
    let after: { expiresAt: Date; id: string } | null = null;
    for (let round = 0; round < mandateLimits.cleanupRoundsMax; round++) {
      const due = await this.mandates.dueMandates(metadata.now, after);
      for (const m of due) {
        const result = await this.mandates.expire(m.id, 'cleanup', metadata);
        if (result.events.length === 0) continue;
        expired.push(m.id);
        position = later(position, result.position);
      }
      const last = due[due.length - 1];
      if (!last || due.length < mandateLimits.expiryBatchMax) break;
      after = { expiresAt: last.expires_at, id: last.id };
    }
    return { expired, position };
  }
}

function later(a: Position | null, b: Position | null): Position | null {
  if (!a) return b;
  if (!b) return a;
  return comparePositions(a, b) >= 0 ? a : b;
}
