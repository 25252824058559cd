/**
 * Every read-model table, by name: the database type of `Kysely<ReadModels>`, which every query
 * of the service uses (`Kysely<any>` only in migrations). One `*.table.ts` per table, beside the
 * projector that writes it.
 */
import type { AlertsTable } from './alerts/alerts.table';
import type { ApiKeyUsageTable } from './api-keys/api-key-usage.table';
import type { ApiKeysTable } from './api-keys/api-keys.table';
import type { AuditLogTable } from './audit-log/audit-log.table';
import type { EscrowsTable } from './escrows/escrows.table';
import type { MilestonesTable } from './escrows/milestones.table';
import type { EventStatsTable } from './event-stats/event-stats.table';
import type { LedgerTables } from './ledger/ledger.table';
import type { MandatesTable } from './mandates/mandates.table';
import type { PurchasesTable } from './mandates/purchases.table';
import type { DepositsTable } from './payments/deposits.table';
import type { PaymentsTable } from './payments/payments.table';
import type { ProofFilesTable } from './proof-files/proof-files.table';
import type { ProofEscrowPartiesTable } from './proofs/proof-escrow-parties.table';
import type { ProofsTable } from './proofs/proofs.table';
import type { PspWebhooksTable } from './psp-webhooks/psp-webhooks.table';
import type { MerchantsTable } from './spend/merchants.table';
import type { SpendCategoriesTable } from './spend/spend-categories.table';
import type { UsageAllowsTable } from './spend/usage-allows.table';
import type { AllowlistEntriesTable } from './transfers/allowlist-entries.table';
import type { CertificationsTable } from './transfers/certifications.table';
import type { TransactionsTable } from './transfers/transactions.table';
import type { UsersTable } from './users/users.table';

export interface ReadModels extends LedgerTables {
  alerts: AlertsTable;
  allowlist_entries: AllowlistEntriesTable;
  api_key_usage: ApiKeyUsageTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  certifications: CertificationsTable;
  deposits: DepositsTable;
  escrows: EscrowsTable;
  event_stats: EventStatsTable;
  mandates: MandatesTable;
  merchants: MerchantsTable;
  milestones: MilestonesTable;
  payments: PaymentsTable;
  proof_escrow_parties: ProofEscrowPartiesTable;
  proof_files: ProofFilesTable;
  proofs: ProofsTable;
  psp_webhooks: PspWebhooksTable;
  purchases: PurchasesTable;
  spend_categories: SpendCategoriesTable;
  transactions: TransactionsTable;
  usage_allows: UsageAllowsTable;
  users: UsersTable;
}

/** A read-model table's name. */
export type ReadModelTable = keyof ReadModels & string;

/** A read-model table keyed by an `id` column. */
export type TableWithId = {
  [T in ReadModelTable]: ReadModels[T] extends { id: string } ? T : never;
}[ReadModelTable];
