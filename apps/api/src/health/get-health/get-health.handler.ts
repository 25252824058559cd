/**
 * Measures the service's health: database, migrations, the event store's connection (a probe
 * bounded by its own timeout) and head, each projector's
 * checkpoint and lag (also set on the lag gauge), the oldest open transaction and the
 * transaction holding back the `$all` horizon. Each measure that fails reads as unknown.
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { sql } from 'kysely';
import { encodePosition } from '@kob/event-store';
import { limits } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { eventHorizonHolder, migrationStatus } from '@kob/postgres';
import { PLATFORM } from '../../platform/platform.providers';
import type { ProofServices } from '../../proofs/shared';
import { PROOFS } from '../../tokens';
import { GetHealthQuery } from './get-health.query';
import { type HealthFacts, type ProjectorHealth, healthView } from './get-health.view';

@QueryHandler(GetHealthQuery)
export class GetHealthHandler implements IQueryHandler<GetHealthQuery> {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PROOFS) private readonly proofs: ProofServices,
  ) {}

  async execute(): Promise<Record<string, unknown>> {
    return healthView(await this.facts(), this.platform, this.proofs);
  }

  private async facts(): Promise<HealthFacts> {
    const { db, store } = this.platform;
    const dbOk = await sql`SELECT 1`.execute(db).then(
      () => true,
      () => false,
    );
    const migrations = dbOk ? await migrationStatus(db).catch(() => null) : null;
    const migrationsStatus = !migrations
      ? 'unknown'
      : migrations.pending.length
        ? 'out_of_date'
        : 'up_to_date';
    const connection = await store.connection(limits.healthStoreProbeTimeoutMs);
    const storeUp = connection.state === 'connected';
    const head = storeUp ? await store.headPosition().catch(() => null) : null;
    const projectors = dbOk ? await this.projectors() : [];
    const oldest = dbOk ? await this.oldestOpenTransaction() : null;
    const holder = dbOk ? await eventHorizonHolder(db).catch(() => null) : null;
    return { dbOk, migrationsStatus, connection, head, projectors, oldest, holder };
  }

  private async projectors(): Promise<ProjectorHealth[]> {
    const statuses = await this.platform.projections.statusWithLag().catch(() => []);
    return statuses.map((s) => {
      this.platform.metrics.projectionLag.set({ projector: s.name }, s.lagMs / 1000);
      return {
        name: s.name,
        version: s.version,
        status: s.status,
        halted_reason: s.haltedReason,
        checkpoint: encodePosition(s.checkpoint),
        events_applied: s.eventsApplied.toString(),
        parked_events: s.parked,
        lag_ms: s.lagMs,
      };
    });
  }

  private async oldestOpenTransaction() {
    const res = await sql<{
      pid: number;
      age_seconds: string;
      state: string | null;
      database: string | null;
    }>`
      SELECT pid, datname AS database, state,
             round(extract(epoch FROM now() - xact_start)::numeric, 3)::text AS age_seconds
      FROM pg_stat_activity
      WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)
      ORDER BY xact_start LIMIT 1`
      .execute(this.platform.db)
      .catch(() => null);
    const row = res?.rows[0];
    return row
      ? {
          pid: row.pid,
          database: row.database,
          state: row.state,
          age_seconds: Number(row.age_seconds),
        }
      : null;
  }
}
