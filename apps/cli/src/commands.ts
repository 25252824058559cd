/** Every CLI command, in the order the usage lists them, and the usage texts built from them. */
import type { CliCommand } from './cli-command';
import { exportCommand } from './commands/export.command';
import { migrateCommand } from './commands/migrate.command';
import { parkedCommand } from './commands/parked.command';
import { rebuildCommand } from './commands/rebuild.command';
import { replayCommand } from './commands/replay.command';
import { statusCommand } from './commands/status.command';
import { verifyCommand } from './commands/verify.command';

export const commands: readonly CliCommand[] = [
  migrateCommand,
  verifyCommand,
  statusCommand,
  rebuildCommand,
  parkedCommand,
  replayCommand,
  exportCommand,
];

const COMMON = `options of every command:
  --json                      machine-readable output (JSON) instead of text lines
  -h, --help                  this command's usage`;

/** The general usage: every command's lines. */
export function usage(): string {
  const lines = commands.flatMap((c) => c.usage.map((l) => `  ${l}`));
  return [
    'usage: kobatela <command> [options]',
    ...lines,
    "  help [<command>]            this text, or one command's usage",
    COMMON,
  ].join('\n');
}

/** One command's usage and what it adds (`help <command>`, `<command> --help`). */
export function commandUsage(command: CliCommand): string {
  const lines = command.usage.map((l) => `  ${l}`);
  return ['usage: kobatela', ...lines, '', command.details, '', COMMON].join('\n');
}

export function commandNamed(name: string | undefined): CliCommand | undefined {
  return commands.find((c) => c.name === name);
}
