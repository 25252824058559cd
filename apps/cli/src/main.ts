/**
 * Auditor and operator CLI (`npm run cli -- <command>`; `help` lists the commands, each in its
 * own file under commands/). Uses DATABASE_URL, else the embedded PostgreSQL of DATA_DIR (joining
 * a running API's server), as the service role; `migrate` runs as the owner role
 * (DATABASE_OWNER_URL, or the embedded server's owner login from DATA_DIR/connection.json).
 * Exit codes: 0 done, 1 a check failed (or an error), 2 bad usage.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@kob/config';
import { createLogger, openPlatform } from '@kob/platform';
import { allProjectors } from '@kob/projections';
import { type CliCommand, UsageError, parseCommandArgs } from './cli-command';
import { commandNamed, commandUsage, usage } from './commands';
import { exitWhenStdoutCloses, flushed, out } from './output';

const HELP_FLAGS = ['--help', '-h'];

/** `help`, `--help`, `help <command>`: the usage on stdout; null when argv asks for no help. */
function help(argv: string[]): number | null {
  const [first, ...rest] = argv;
  if (first === undefined || (first !== 'help' && !HELP_FLAGS.includes(first))) return null;
  if (rest.length === 0) {
    out(usage());
    return 0;
  }
  const command = commandNamed(rest[0]);
  if (!command || rest.length > 1) throw new UsageError(`no command ${rest.join(' ')}`);
  out(commandUsage(command));
  return 0;
}

async function runCommand(command: CliCommand, argv: string[]): Promise<number> {
  const args = parseCommandArgs(command, argv);
  if (args.help) {
    out(commandUsage(command));
    return 0;
  }
  // The CLI handles no API keys: it needs no API_KEY_SECRET, so it also runs next to a
  // development server (`npm start`) whatever APP_ENV says.
  const config = loadConfig(process.env, { apiKeys: false });
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn').child({ process: 'cli' });
  const platform = await openPlatform(config, logger, {
    embedded: 'shared',
    projectors: allProjectors,
    poolMax: 6,
    migrate: command.migrates === true,
  });
  try {
    return await command.run(platform, args);
  } finally {
    await platform.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const helped = help(argv);
  if (helped !== null) return helped;
  const [name, ...args] = argv;
  const command = commandNamed(name);
  if (!command) throw new UsageError(name === undefined ? 'no command' : `unknown command ${name}`);
  return runCommand(command, args);
}

function failed(err: unknown): number {
  if (err instanceof UsageError) {
    const command = commandNamed(err.command);
    process.stderr.write(`${err.message}\n${command ? commandUsage(command) : usage()}\n`);
    return 2;
  }
  process.stderr.write(
    `kobatela: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`,
  );
  return 1;
}

exitWhenStdoutCloses();
run(process.argv.slice(2))
  .catch(failed)
  .then(async (code) => {
    await flushed();
    process.exit(code);
  });
