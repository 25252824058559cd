/**
 * The CLI's usage as a process: `--help`, `help` and `help <command>` (or `<command> --help`)
 * answer on stdout and exit 0 without touching a database; an unknown command, an unknown option
 * or a stray word exits 2 with the usage on stderr.
 */
import { distFile, runChild } from '../support/child';

const CLI = 'apps/cli/src/main.js';
// No database is reachable here: help must not need one.
const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', APP_ENV: 'test' };

function cli(args: string[]) {
  return runChild(distFile(CLI), env, 30_000, args);
}

const COMMANDS = ['migrate', 'verify', 'status', 'rebuild', 'parked', 'replay', 'export'];

describe('kobatela CLI usage', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints every command and exits 0', async (flag) => {
    const r = await cli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: kobatela <command>/);
    for (const c of COMMANDS) expect(r.stdout).toContain(`\n  ${c}`);
    expect(r.stderr).toBe('');
  });

  it('help <command> and <command> --help print that command only', async () => {
    for (const args of [
      ['help', 'verify'],
      ['verify', '--help'],
      ['verify', '-h'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('verify --all');
      expect(r.stdout).toContain('trial balance');
      expect(r.stdout).not.toContain('rebuild <projector>');
    }
    const exp = await cli(['help', 'export']);
    expect(exp.code).toBe(0);
    expect(exp.stdout).toContain('--format jsonl|csv');
  });

  it('an unknown command, option or word exits 2 with the usage on stderr', async () => {
    const unknown = await cli(['explode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('unknown command explode');
    expect(unknown.stderr).toContain('usage: kobatela <command>');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: kobatela');
    const helpless = await cli(['help', 'explode']);
    expect(helpless.code).toBe(2);
    const option = await cli(['verify', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--bogus'");
    expect(option.stderr).toContain('verify --stream <id>');
    const word = await cli(['status', 'extra']);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain('status: too many arguments');
  });
});
