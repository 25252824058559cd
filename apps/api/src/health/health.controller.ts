/**
 * GET /health (no key): database, migrations, event store, each projector's checkpoint and lag,
 * halted projectors, events parked by a projector (not replayed yet), the oldest open
 * transaction, the transaction holding back the `$all` horizon (every projection: the xmin rule
 * is cluster-wide; `degraded` once it has held it longer than EVENT_HORIZON_HELD_MAX_MS), the
 * database role and whether it could change the events table, and which PSP adapter runs.
 * Always 200; `status` says `degraded`.
 */
import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../auth/access.decorator';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { encodePosition } from '@kob/event-store';
import { describeHolder, type Platform } from '@kob/platform';
import { eventHorizonHolder } from '@kob/postgres';
import { migrationStatus } from '@kob/postgres';
import { webhookSecretStatus } from '@kob/config';
import type { ProofServices } from '../proofs/shared';
import { PLATFORM, PROOFS } from '../tokens';

function fingerprint(secret: string | null): string | null {
  return secret ? createHash('sha256').update(secret).digest('hex').slice(0, 8) : null;
}

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(PROOFS) private readonly proofs: ProofServices,
  ) {}

  @Get('health')
  @ApiOkResponse({ description: 'Service health; always 200, `status` is ok or degraded' })
  async health(): Promise<Record<string, unknown>> {
    const { db, config, store } = this.platform;
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
    const head = dbOk ? await store.headPosition().catch(() => null) : null;
    const projectors = dbOk ? await this.projectors() : [];
    const halted = projectors.filter((p) => p.status === 'halted').map((p) => p.name);
    // Events a projector could not apply and parked: its read model lacks them until replayed.
    const parked = Object.fromEntries(
      projectors.filter((p) => p.parked_events > 0).map((p) => [p.name, p.parked_events]),
    );
    const parkedTotal = projectors.reduce((n, p) => n + p.parked_events, 0);
    const oldest = dbOk ? await this.oldestOpenTransaction() : null;
    const holder = dbOk ? await eventHorizonHolder(db).catch(() => null) : null;
    const heldBack = holder !== null && holder.ageMs > config.eventHorizonHeldMaxMs;
    const ok =
      dbOk &&
      migrationsStatus === 'up_to_date' &&
      halted.length === 0 &&
      parkedTotal === 0 &&
      !heldBack;
    const primary = config.pspWebhookSecret;
    const next = config.pspWebhookSecretNext;
    return {
      status: ok ? 'ok' : 'degraded',
      app_env: config.appEnv,
      db_ok: dbOk,
      db_status: dbOk ? 'ok' : 'error',
      migrations_ok: migrationsStatus === 'up_to_date',
      migrations_status: migrationsStatus,
      event_store: {
        adapter: store.name,
        reachable: dbOk,
        head_position: head ? encodePosition(head) : null,
      },
      projections_mode: config.projectionsMode,
      projections: projectors,
      halted_projectors: halted,
      parked_events: { total: parkedTotal, by_projector: parked },
      oldest_open_transaction: oldest,
      event_horizon: {
        held_back: heldBack,
        limit_ms: config.eventHorizonHeldMaxMs,
        holder: holder ? describeHolder(holder) : null,
      },
      database_role: {
        name: this.platform.databaseRole.role,
        can_change_events: this.platform.databaseRole.exposed !== null,
      },
      psp_provider: config.pspProvider,
      psp_webhook_configured: Boolean(primary || next),
      psp_webhook_secret_status: webhookSecretStatus(config),
      psp_webhook_secret_fingerprints: { primary: fingerprint(primary), next: fingerprint(next) },
      ocr_enabled: config.invoiceOcrEnabled,
      ocr: this.proofs?.ocr.stats() ?? null,
      ai_proof_enabled: config.aiProofAdvisorEnabled,
      ai_proof_advisor: this.proofs?.advisor.status() ?? null,
      scheduler_config_enabled: config.schedulerEnabled,
      scheduler_running: this.platform.scheduler.status().running_here,
      scheduler: this.platform.scheduler.status(),
    };
  }

  private async projectors() {
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
