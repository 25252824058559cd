/**
 * Every migration, in one timeline ordered by the timestamp prefix. A static registry (rather
 * than reading folders at run time) works the same from TypeScript sources and from dist/.
 */
import type { Migration } from 'kysely';
import * as events from './event-store/20261124000100_events';
import * as checkpoints from './read-models/20261124000200_projection_checkpoints';
import * as eventStats from './read-models/20261124000300_event_stats';
import * as tamperGuards from './event-store/20261124000400_events_tamper_guards';
import * as auditLog from './read-models/20261124000500_audit_log';
import * as identity from './read-models/20261124000600_identity';
import * as serviceSecrets from './read-models/20261124000700_service_secrets';
import * as escrows from './read-models/20261124000800_escrows';
import * as payments from './read-models/20261127000100_payments';
import * as ledger from './read-models/20261127000200_ledger';
import * as deposits from './read-models/20261127000300_deposits';
import * as proofFiles from './read-models/20261127000400_proof_files';
import * as proofs from './read-models/20261127000500_proofs';
import * as proofsNearDuplicate from './read-models/20261127000600_proofs_near_duplicate';
import * as alerts from './read-models/20261127000700_alerts';
import * as spendCatalogue from './read-models/20261127000800_spend_catalogue';
import * as mandates from './read-models/20261127000900_mandates';
import * as transfers from './read-models/20261127001000_transfers';
import * as parkedEvents from './read-models/20261204000100_projection_parked_events';
import * as jobCheckpoints from './read-models/20261205000100_job_checkpoints';
import * as userRolesNumbers from './read-models/20261206000100_user_roles_numbers';
import * as paymentsNewestFirst from './read-models/20261206000200_payments_newest_first';
import * as milestonesKindless from './read-models/20261206000300_milestones_kindless';
import * as appendBatch from './event-store/20261206000400_append_batch';

export const allMigrations: Record<string, Migration> = {
  '20261124000100_events': events,
  '20261124000200_projection_checkpoints': checkpoints,
  '20261124000300_event_stats': eventStats,
  '20261124000400_events_tamper_guards': tamperGuards,
  '20261124000500_audit_log': auditLog,
  '20261124000600_identity': identity,
  '20261124000700_service_secrets': serviceSecrets,
  '20261124000800_escrows': escrows,
  '20261127000100_payments': payments,
  '20261127000200_ledger': ledger,
  '20261127000300_deposits': deposits,
  '20261127000400_proof_files': proofFiles,
  '20261127000500_proofs': proofs,
  '20261127000600_proofs_near_duplicate': proofsNearDuplicate,
  '20261127000700_alerts': alerts,
  '20261127000800_spend_catalogue': spendCatalogue,
  '20261127000900_mandates': mandates,
  '20261127001000_transfers': transfers,
  '20261204000100_projection_parked_events': parkedEvents,
  '20261205000100_job_checkpoints': jobCheckpoints,
  '20261206000100_user_roles_numbers': userRolesNumbers,
  '20261206000200_payments_newest_first': paymentsNewestFirst,
  '20261206000300_milestones_kindless': milestonesKindless,
  '20261206000400_append_batch': appendBatch,
};
