/** The answer of `GET /health` from what the handler measured (get-health.handler.ts). */
import { createHash } from 'node:crypto';
import { webhookSecretStatus } from '@kob/config';
import { type Position, type StoreConnection, encodePosition } from '@kob/event-store';
import { type Platform, describeHolder } from '@kob/platform';
import type { eventHorizonHolder } from '@kob/postgres';
import type { ProofServices } from '../../proofs/shared';

export interface ProjectorHealth {
  name: string;
  version: unknown;
  status: string;
  halted_reason: unknown;
  checkpoint: string;
  events_applied: string;
  parked_events: number;
  lag_ms: number;
}

export interface HealthFacts {
  dbOk: boolean;
  migrationsStatus: 'unknown' | 'out_of_date' | 'up_to_date';
  connection: StoreConnection;
  head: Position | null;
  projectors: ProjectorHealth[];
  oldest: unknown;
  holder: Awaited<ReturnType<typeof eventHorizonHolder>> | null;
}

function fingerprint(secret: string | null): string | null {
  return secret ? createHash('sha256').update(secret).digest('hex').slice(0, 8) : null;
}

/** Halted projectors, and events a projector could not apply and parked (not replayed yet). */
function projectorTrouble(projectors: ProjectorHealth[]) {
  const halted = projectors.filter((p) => p.status === 'halted').map((p) => p.name);
  const parked = Object.fromEntries(
    projectors.filter((p) => p.parked_events > 0).map((p) => [p.name, p.parked_events]),
  );
  const parkedTotal = projectors.reduce((n, p) => n + p.parked_events, 0);
  return { halted, parked, parkedTotal };
}

/** What the PSP, OCR, AI advisor and scheduler report (configuration and state). */
function services(platform: Platform, proofs: ProofServices | undefined) {
  const { config, scheduler } = platform;
  const primary = config.pspWebhookSecret;
  const next = config.pspWebhookSecretNext;
  return {
    psp_provider: config.pspProvider,
    // FRONTEND-CONTRACT A1: email login (no password) is for development and demos.
    email_login_enabled: config.authEmailLogin,
    psp_webhook_configured: Boolean(primary || next),
    psp_webhook_secret_status: webhookSecretStatus(config),
    psp_webhook_secret_fingerprints: { primary: fingerprint(primary), next: fingerprint(next) },
    ocr_enabled: config.invoiceOcrEnabled,
    ocr: proofs?.ocr.stats() ?? null,
    ai_proof_enabled: config.aiProofAdvisorEnabled,
    ai_proof_advisor: proofs?.advisor.status() ?? null,
    scheduler_config_enabled: config.schedulerEnabled,
    scheduler_running: scheduler.status().running_here,
    scheduler: scheduler.status(),
  };
}

export function healthView(
  facts: HealthFacts,
  platform: Platform,
  proofs: ProofServices | undefined,
): Record<string, unknown> {
  const { config, store, databaseRole } = platform;
  const { dbOk, migrationsStatus, connection, head, projectors, oldest, holder } = facts;
  const storeUp = connection.state === 'connected';
  const { halted, parked, parkedTotal } = projectorTrouble(projectors);
  // The horizon is PostgreSQL's `$all`: with the events in EventStoreDB it holds no reader back.
  const heldBack =
    store.name === 'postgresql' && holder !== null && holder.ageMs > config.eventHorizonHeldMaxMs;
  const upToDate = migrationsStatus === 'up_to_date';
  const ok = dbOk && storeUp && upToDate && halted.length === 0 && parkedTotal === 0 && !heldBack;
  return {
    status: ok ? 'ok' : 'degraded',
    app_env: config.appEnv,
    db_ok: dbOk,
    db_status: dbOk ? 'ok' : 'error',
    migrations_ok: upToDate,
    migrations_status: migrationsStatus,
    event_store: {
      adapter: store.name,
      reachable: storeUp,
      connection: connection.state,
      latency_ms: connection.latencyMs,
      detail: connection.detail,
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
      name: databaseRole.role,
      can_change_events: databaseRole.exposed !== null,
    },
    ...services(platform, proofs),
  };
}
