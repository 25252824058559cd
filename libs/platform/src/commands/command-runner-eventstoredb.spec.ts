/**
 * The command runner on EventStoreDB (the double, through the real client), where a decision on
 * another stream's facts cannot hold that stream until its write: the runner's condition
 * becomes a read pin on the fact stream at the revision read. The pin moves the fact stream's
 * revision, not its state; a writer of the fact who read before the pin decides again on a
 * fresh read (a retry), and a fact changed after the read makes the decision read and decide
 * again.
 */
import { randomUUID } from 'node:crypto';
import { READ_PIN_EVENT } from '@kob/kernel';
import { tallyDecider } from '@kob/domain';
import { verifyChain } from '@kob/event-store';
import { useEventStoreDbDouble } from '@test/eventstoredb-double/double-store';
import { CommandRunner } from './command-runner';
import { systemMetadata } from '../scheduler/job-helpers';

const { store } = useEventStoreDbDouble();

const NOW = new Date('2026-12-05T10:00:00.000Z');
const meta = () => systemMetadata('system:test', NOW);

async function openTally(runner: CommandRunner, currency: string): Promise<string> {
  const tallyId = randomUUID();
  await runner.execute({
    streamId: `tally-${tallyId}`,
    decider: tallyDecider,
    command: { type: 'OpenTally', tallyId, currency, now: '2026-12-05T10:00:00.000Z' },
    metadata: meta(),
  });
  return tallyId;
}

/** A tally opened in the currency of the fact tally (the decision on another stream's facts). */
function openLike(
  runner: CommandRunner,
  fact: string,
  onRead: () => Promise<void> = async () => {},
) {
  return runner.executeWithFacts({
    decider: tallyDecider,
    metadata: meta(),
    targetStream: (id) => `tally-${id}`,
    facts: async (reader) => {
      const state = await reader.read(`tally-${fact}`, tallyDecider);
      await onRead();
      return state;
    },
    command: (id, facts) => ({
      type: 'OpenTally' as const,
      tallyId: id,
      currency: facts.currency,
      now: '2026-12-05T10:00:00.000Z',
    }),
  });
}

describe('the command runner on EventStoreDB: decisions on facts', () => {
  it('pins the fact stream; a writer of the fact that read before the pin decides again', async () => {
    const runner = new CommandRunner(store());
    const stale = new CommandRunner(store());
    const fact = await openTally(runner, 'EUR');
    await stale.read(`tally-${fact}`, tallyDecider);
    const decided = await openLike(runner, fact);
    expect(decided.state).toMatchObject({ exists: true, currency: 'EUR' });
    const history = await store().readStream(`tally-${fact}`);
    expect(history.map((e) => e.type)).toEqual(['tally.opened.v1', READ_PIN_EVENT]);
    expect(history[1]!.data).toEqual({
      decision: { streamId: decided.streamId, eventId: expect.any(String) },
    });
    // The pin is no fact: the fact's state is as before, at the pin's revision.
    expect(await runner.read(`tally-${fact}`, tallyDecider)).toMatchObject({
      revision: 1n,
      state: { exists: true, currency: 'EUR', additions: 0 },
    });
    // A writer whose cache predates the pin conflicts on it, reads again, and appends after it.
    const added = await stale.execute({
      streamId: `tally-${fact}`,
      decider: tallyDecider,
      command: { type: 'AddToTally', tallyId: fact, amount: '1.00', scale: 2, limit: '10.00' },
      metadata: meta(),
    });
    expect(added).toMatchObject({ revision: 2n, state: { total: '1.00', additions: 1 } });
    expect(verifyChain(await store().readStream(`tally-${fact}`)).valid).toBe(true);
  });

  it('decides again when the fact changed after it was read', async () => {
    const runner = new CommandRunner(store());
    const other = new CommandRunner(store());
    const fact = await openTally(runner, 'EUR');
    let reads = 0;
    const decided = await openLike(runner, fact, async () => {
      // Between the first read and the pin, someone adds to the fact tally.
      if (++reads > 1) return;
      await other.execute({
        streamId: `tally-${fact}`,
        decider: tallyDecider,
        command: { type: 'AddToTally', tallyId: fact, amount: '2.00', scale: 2, limit: '10.00' },
        metadata: meta(),
      });
    });
    expect(reads).toBe(2);
    const history = await store().readStream(`tally-${fact}`);
    expect(history.map((e) => e.type)).toEqual([
      'tally.opened.v1',
      'tally.added.v1',
      READ_PIN_EVENT,
    ]);
    expect(history[2]!.data).toMatchObject({ decision: { streamId: decided.streamId } });
    expect(await store().readStream(decided.streamId)).toHaveLength(1);
  });
});
