/** Every projector the service runs, in a stable order. */
import { apiKeysProjection } from './api-keys/api-keys.projection';
import { auditLogProjection } from './audit-log/audit-log.projection';
import { escrowsProjection } from './escrows/escrows.projection';
import { eventStatsProjection } from './event-stats/event-stats.projection';
import { ledgerProjection } from './ledger/ledger.projection';
import { paymentsProjection } from './payments/payments.projection';
import { proofFilesProjection } from './proof-files/proof-files.projection';
import { proofsProjection } from './proofs/proofs.projection';
import { pspWebhooksProjection } from './psp-webhooks/psp-webhooks.projection';
import { usersProjection } from './users/users.projection';
import { alertsProjection } from './alerts/alerts.projection';
import { mandatesProjection } from './mandates/mandates.projection';
import { spendProjection } from './spend/spend.projection';
import { transfersProjection } from './transfers/transfers.projection';

export const allProjectors = [
  eventStatsProjection,
  usersProjection,
  apiKeysProjection,
  auditLogProjection,
  escrowsProjection,
  paymentsProjection,
  pspWebhooksProjection,
  ledgerProjection,
  proofsProjection,
  proofFilesProjection,
  alertsProjection,
  spendProjection,
  mandatesProjection,
  transfersProjection,
] as const;

export * from './audit-log/audit-log.table';
export * from './audit-log/audit-mask';
export { auditActorLabel, auditFields } from './audit-log/audit-log.projection';
export * from './event-stats/event-stats.projection';
export * from './ledger/ledger-accounts';
export * from './ledger/ledger.projection';
export * from './ledger/ledger.table';
export * from './proof-files/proof-files.table';
export * from './spend/spend.projection';
export * from './transfers/transfers.projection';
export * from './users/users.projection';
export * from './read-models';
export * from './alerts/alerts.table';
export * from './api-keys/api-key-usage.table';
export * from './api-keys/api-keys.table';
export * from './escrows/escrows.table';
export * from './escrows/milestones.table';
export * from './event-stats/event-stats.table';
export * from './mandates/mandates.table';
export * from './mandates/purchases.table';
export * from './payments/deposits.table';
export * from './payments/payments.table';
export * from './proofs/proof-escrow-parties.table';
export * from './proofs/proofs.table';
export * from './psp-webhooks/psp-webhooks.table';
export * from './spend/merchants.table';
export * from './spend/spend-categories.table';
export * from './spend/usage-allows.table';
export * from './transfers/allowlist-entries.table';
export * from './transfers/certifications.table';
export * from './transfers/transactions.table';
export * from './users/users.table';
export { deferWrites, deferredWrite } from './deferred-write';
export { preparedMark } from './prepared-mark';
