/** `migrate`: apply pending migrations (as the owner role) and report the schema's state. */
import { migrationStatus } from '@kob/postgres';
import type { CliCommand } from '../cli-command';
import { out, outJson } from '../output';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  usage: ['migrate                     apply pending migrations'],
  details:
    'Runs as the owner role (DATABASE_OWNER_URL, or the embedded server owner login from\n' +
    'DATA_DIR/connection.json). Exits 1 if migrations are still pending afterwards.',
  options: {},
  positionalsMax: 0,
  migrates: true,
  async run(platform, args) {
    const status = await migrationStatus(platform.db);
    if (args.json) outJson({ applied: status.applied, pending: status.pending });
    else out(`migrations: ${status.applied} applied, ${status.pending.length} pending`);
    return status.pending.length === 0 ? 0 : 1;
  },
};
