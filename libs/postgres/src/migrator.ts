/**
 * Runs the Kysely migrations of `migrations/` (event store, then read models; one timeline,
 * ordered by their timestamp prefixes). Kysely's PostgreSQL adapter serialises concurrent
 * migrators with an advisory lock, so several replicas may start at once.
 */
import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { allMigrations } from '@kob/migrations';

export interface MigrationStatus {
  applied: number;
  pending: string[];
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => allMigrations },
    migrationTableName: 'kysely_migration',
    migrationLockTableName: 'kysely_migration_lock',
  });
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `migration ${failed} failed: ${(result.error as Error).message ?? result.error}`,
    );
  }
  return result;
}

export async function migrationStatus(db: Kysely<any>): Promise<MigrationStatus> {
  const all = await migrator(db).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).length,
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
