/**
 * Key prefixes are unique (a reservation claimed with the key): a drawn key whose prefix is
 * taken is drawn again, a bounded number of times; a given key (BOOTSTRAP_ADMIN_API_KEY) whose
 * prefix is taken is refused rather than silently replaced.
 */
import { randomBytes } from 'node:crypto';
import { generateApiKey } from '@kob/auth';
import { newId, systemActor } from '@kob/kernel';
import { issueApiKey } from '../../apps/api/src/identity/issue-api-key/issue-api-key';
import { startTestApp, type TestApp } from '../support/test-app';

describe('API key prefixes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const meta = () => {
    const id = newId();
    return {
      actor: systemActor('system:test'),
      commandId: id,
      correlationId: id,
      causationId: id,
      now: new Date(),
    };
  };
  const spec = { name: 't', scope: 'support' as const, userId: null, expiresAt: null };

  it('draws again when the prefix is taken', async () => {
    const first = await issueApiKey(t.platform, meta(), spec);
    const colliding = {
      prefix: first.prefix,
      key: `${first.prefix}.${randomBytes(32).toString('base64url')}`,
    };
    const draws = [colliding, generateApiKey()];
    let drawn = 0;
    const second = await issueApiKey(t.platform, meta(), spec, () => draws[drawn++]!);
    expect(drawn).toBe(2);
    expect(second.prefix).not.toBe(first.prefix);
    expect(second.key).toBe(draws[1]!.key);
  });

  it('gives up after a bounded number of draws, and never replaces a given key', async () => {
    const first = await issueApiKey(t.platform, meta(), spec);
    const taken = () => ({
      prefix: first.prefix,
      key: `${first.prefix}.${randomBytes(32).toString('base64url')}`,
    });
    await expect(issueApiKey(t.platform, meta(), spec, taken)).rejects.toMatchObject({
      code: 'APIKEY_PREFIX_TAKEN',
    });
    await expect(
      issueApiKey(t.platform, meta(), { ...spec, key: taken().key }),
    ).rejects.toMatchObject({
      code: 'APIKEY_PREFIX_TAKEN',
    });
  });
});
