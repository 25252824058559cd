/**
 * The shape of a CLI command and how its arguments are read: each command declares its options
 * (node's own `util.parseArgs`, strict: an unknown option is bad usage) and its usage lines, so
 * the general usage, `help <command>` and the parsing all come from one table (commands.ts).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Platform } from '@kob/platform';

/** Bad usage: the CLI prints the message and the usage on stderr and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to print (the general usage when absent). */
    readonly command?: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command receives: its options (strings and booleans) and its positional words. */
export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** `--json`: one machine-readable answer on stdout instead of text lines. */
  json: boolean;
}

export interface CliCommand {
  name: string;
  /** The lines of the general usage (`<synopsis>  <what it does>`), without the indent. */
  usage: readonly string[];
  /** What `help <command>` adds below the usage lines. */
  details: string;
  options: Options;
  /** How many positional words it takes at most. */
  positionalsMax: number;
  /** Opens the platform as the owner role and migrates (only `migrate`). */
  migrates?: boolean;
  run(platform: Platform, args: CommandArgs): Promise<number>;
}

/** Options every command takes. */
const commonOptions: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
};

/** The command's arguments, or a UsageError naming what is wrong with them. */
export function parseCommandArgs(
  command: CliCommand,
  argv: string[],
): CommandArgs & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...commonOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${command.name}: ${(err as Error).message}`, command.name);
  }
  const { help, json, ...values } = parsed.values as CommandArgs['values'];
  if (!help && parsed.positionals.length > command.positionalsMax)
    throw new UsageError(`${command.name}: too many arguments`, command.name);
  return { values, positionals: parsed.positionals, json: json === true, help: help === true };
}

/** A string option's value (undefined when absent). */
export function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
