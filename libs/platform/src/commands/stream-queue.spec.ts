/** The per-stream queue: one task at a time per stream, re-entrant for its holder only. */
import { StreamQueue } from './stream-queue';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('stream queue', () => {
  it('runs tasks of one stream one after another, other streams in parallel', async () => {
    const q = new StreamQueue();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
    };
    await Promise.all([q.run('a', task('a1')), q.run('a', task('a2')), q.run('b', task('b1'))]);
    expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
    expect(log.indexOf('b1:start')).toBeLessThan(log.indexOf('a1:end'));
  });

  it('lets the holder re-enter its own stream, but not work it left running after it settled', async () => {
    const q = new StreamQueue();
    const log: string[] = [];
    let leaked: Promise<void> | undefined;
    await q.run('s', async () => {
      await q.run('s', async () => log.push('nested'));
      leaked = (async () => {
        await tick();
        await q.run('s', async () => {
          log.push('leaked:start');
          await tick();
          log.push('leaked:end');
        });
      })();
    });
    const holder = q.run('s', async () => {
      log.push('holder:start');
      await tick();
      await tick();
      log.push('holder:end');
    });
    await Promise.all([leaked, holder]);
    expect(log[0]).toBe('nested');
    // The leaked work queued like anyone else: it never ran inside the second holder's turn.
    const [first, second] =
      log.indexOf('holder:start') < log.indexOf('leaked:start')
        ? ['holder', 'leaked']
        : ['leaked', 'holder'];
    expect(log.indexOf(`${first}:end`)).toBeLessThan(log.indexOf(`${second}:start`));
  });

  it('refuses to queue for another stream while holding one (deadlock by opposite order)', async () => {
    const q = new StreamQueue();
    await expect(q.run('a', () => q.run('b', async () => 1))).rejects.toThrow(
      /held while queueing/,
    );
  });
});
