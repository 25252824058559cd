/**
 * `verify --stream S` checks one stream's hash chain; `verify --all` checks every stream's, then
 * the ledger's trial balance, then a sample of each aggregate's streams' read-model rows against a
 * fresh fold, naming the read models no sample can check. Exits 1 naming the first break (stream and revision, ledger account or currency, or the
 * stream whose rows disagree); 2 on bad usage.
 */
import type { Platform } from '@kob/platform';
import { type CliCommand, type CommandArgs, UsageError, stringOption } from '../cli-command';
import { out, outJson } from '../output';
import { startProgress } from '../progress';
import {
  type Break,
  breakLine,
  streamCountEstimate,
  verifyAllChains,
  verifyStream,
} from '../verify/chains';
import {
  READ_MODEL_SAMPLE_DEFAULT,
  StreamSample,
  compareSample,
} from '../verify/read-model-sample';
import { checkTrialBalance } from '../verify/trial-balance';

/** Largest `--sample` accepted (each sampled stream's events stay in memory until compared). */
const READ_MODEL_SAMPLE_MAX = 10_000;

async function one(platform: Platform, streamId: string, json: boolean): Promise<number> {
  const verdict = await verifyStream(platform, streamId);
  const events = verdict.events.length;
  if (json) outJson({ stream: streamId, ok: !verdict.broken, events, break: verdict.broken });
  else out(verdict.broken ? breakLine(verdict.broken) : `OK stream=${streamId} events=${events}`);
  return verdict.broken ? 1 : 0;
}

function sampleSize(args: CommandArgs): number {
  const raw = stringOption(args, 'sample');
  if (raw === undefined) return READ_MODEL_SAMPLE_DEFAULT;
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n <= READ_MODEL_SAMPLE_MAX))
    throw new UsageError(`--sample takes 0 to ${READ_MODEL_SAMPLE_MAX} streams`, 'verify');
  return n;
}

async function all(platform: Platform, args: CommandArgs): Promise<number> {
  const sample = new StreamSample(sampleSize(args));
  const progress = startProgress('verify', 'streams', await streamCountEstimate(platform), args);
  const report = (b: Break) => (args.json ? undefined : out(breakLine(b)));
  const chains = await verifyAllChains(platform, progress, (id, e) => sample.offer(id, e), report);
  progress.stop();
  const ledger = await checkTrialBalance(platform);
  ledger.breaks.forEach(report);
  const readModels = await compareSample(platform, sample);
  readModels.breaks.forEach(report);
  const breaks = [...chains.breaks, ...ledger.breaks, ...readModels.breaks];
  if (args.json) {
    outJson({
      ok: breaks.length === 0,
      first_break: breaks[0] ?? null,
      chains,
      ledger,
      read_models: readModels,
    });
    return breaks.length === 0 ? 0 : 1;
  }
  const broken = chains.breaks.length;
  out(
    `verified ${chains.streams} streams, ${chains.events} events: ${broken === 0 ? 'all chains valid' : `${broken} broken`}`,
  );
  out(
    `ledger: ${ledger.accounts} accounts in ${ledger.currencies} currencies: ${ledger.breaks.length === 0 ? 'trial balance holds' : 'BROKEN'}`,
  );
  out(
    `read models: ${readModels.compared} streams compared with a fresh fold, ${readModels.skipped} skipped (projectors behind): ${readModels.breaks.length === 0 ? 'all agree' : 'BROKEN'}`,
  );
  const notSampled = readModels.not_sampled.map((n) => `${n.read_model} (${n.reason})`);
  out(`read models not sampled: ${notSampled.join('; ')}`);
  if (breaks[0]) out(`first break: ${breakLine(breaks[0])}`);
  return breaks.length === 0 ? 0 : 1;
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  usage: [
    "verify --stream <id>        verify one stream's hash chain",
    'verify --all [--sample N]   verify every stream, the ledger and a sample of read models',
  ],
  details:
    "--all checks every hash chain, then the ledger's trial balance (debits = credits in each\n" +
    'currency, account totals = their journal entries), then that the read-model rows of N streams\n' +
    `of each aggregate and of alerts (default ${READ_MODEL_SAMPLE_DEFAULT}) agree with a fresh fold\n` +
    'of their events (streams the projectors have not reached yet are skipped and counted); the\n' +
    'read models built from many streams (event_stats, most of the ledger) are named as not sampled.\n' +
    'Exits 1 naming the first break; progress on stderr.',
  options: { stream: { type: 'string' }, all: { type: 'boolean' }, sample: { type: 'string' } },
  positionalsMax: 0,
  run(platform, args) {
    const stream = stringOption(args, 'stream');
    if (stream !== undefined && args.values.all === undefined) {
      if (args.values.sample !== undefined)
        throw new UsageError('--sample goes with --all', 'verify');
      return one(platform, stream, args.json);
    }
    if (stream === undefined && args.values.all === true) return all(platform, args);
    throw new UsageError('verify needs --stream <id> or --all', 'verify');
  },
};
