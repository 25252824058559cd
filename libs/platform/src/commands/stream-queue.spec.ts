/**
 * The per-stream queue: one task at a time per stream, re-entrant for the work that passes its
 * hold, and (checking) refusing the holds a caller forgot or misused instead of hanging.
 */
import { StreamQueue } from './stream-queue';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe.each([
  ['checking', true],
  ['not checking', false],
])('stream queue (%s)', (_name, check) => {
  it('runs tasks of one stream one after another, other streams in parallel', async () => {
    const q = new StreamQueue({ check });
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

  it('lets the holder re-enter its own stream with its hold, but not once it settled', async () => {
    const q = new StreamQueue({ check });
    const log: string[] = [];
    let leaked: Promise<void> | undefined;
    await q.run('s', async (hold) => {
      await q.run('s', async () => log.push('nested'), hold);
      leaked = (async () => {
        await tick();
        await q.run(
          's',
          async () => {
            log.push('leaked:start');
            await tick();
            log.push('leaked:end');
          },
          hold,
        );
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
    expect(q.size).toBe(0);
  });

  it('refuses to queue for another stream with a hold (deadlock by opposite order)', async () => {
    const q = new StreamQueue({ check });
    await expect(q.run('a', (hold) => q.run('b', async () => 1, hold))).rejects.toThrow(
      /stream a is held while queueing for b/,
    );
  });
});

describe('stream queue, checking the holds passed by hand', () => {
  it('refuses work for the held stream that did not pass the hold, instead of waiting', async () => {
    const q = new StreamQueue({ check: true });
    await expect(q.run('s', () => q.run('s', async () => 1))).rejects.toThrow(
      /stream s is held by the work queueing for it, which did not pass its hold/,
    );
  });

  it('refuses to queue for another stream while holding one, hold passed or not', async () => {
    const q = new StreamQueue({ check: true });
    await expect(q.run('a', () => q.run('b', async () => 1))).rejects.toThrow(
      /stream a is held while queueing for b/,
    );
  });

  it('lets work the holder left running queue like anyone else once it settled', async () => {
    const q = new StreamQueue({ check: true });
    let leaked: Promise<number> | undefined;
    await q.run('a', async () => {
      leaked = (async () => {
        await tick();
        return q.run('b', async () => 2);
      })();
    });
    await expect(leaked).resolves.toBe(2);
  });
});
