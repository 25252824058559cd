/**
 * Who may read an uploaded file, as the default rule decides it: staff scopes, the uploader by
 * user, or by key when the uploading key had no user; everyone else 403 NOT_FILE_UPLOADER, until
 * the party rule (the extension point) says otherwise.
 */
import type { Actor } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { type ProofFileAccessRecord, UploaderOrStaffReadAccess } from './proof-file-access';

const key = (
  scope: 'sender' | 'support' | 'auditor' | 'admin',
  userId: string | null,
  keyId = 'k-other',
): Actor => ({
  kind: 'api_key',
  keyId,
  keyPrefix: 'koba_abcdef',
  scope,
  userId,
});

const byUser: ProofFileAccessRecord = { id: 'f1', uploader_user_id: 'u1', uploader_key_id: 'k1' };
const byKeyOnly: ProofFileAccessRecord = {
  id: 'f2',
  uploader_user_id: null,
  uploader_key_id: 'k2',
};

async function verdict(
  rule: UploaderOrStaffReadAccess,
  actor: Actor,
  file: ProofFileAccessRecord,
): Promise<string> {
  try {
    await rule.check(actor, file);
    return 'allowed';
  } catch (err) {
    if (err instanceof ApiError) return `${err.status} ${err.code}`;
    throw err;
  }
}

describe('UploaderOrStaffReadAccess', () => {
  const rule = new UploaderOrStaffReadAccess();

  it('lets staff and the uploading user read, whatever key the user now uses', async () => {
    for (const scope of ['support', 'auditor', 'admin'] as const)
      expect(await verdict(rule, key(scope, null), byUser)).toBe('allowed');
    expect(
      await verdict(rule, { kind: 'legacy', keyPrefix: 'legacy', scope: 'admin' }, byUser),
    ).toBe('allowed');
    expect(await verdict(rule, key('sender', 'u1', 'k-new'), byUser)).toBe('allowed');
    expect(await verdict(rule, key('sender', 'u2', 'k1'), byUser)).toBe('403 NOT_FILE_UPLOADER');
  });

  it('matches a file uploaded by a key without a user by that key only', async () => {
    expect(await verdict(rule, key('sender', null, 'k2'), byKeyOnly)).toBe('allowed');
    expect(await verdict(rule, key('sender', null, 'k3'), byKeyOnly)).toBe('403 NOT_FILE_UPLOADER');
    expect(await verdict(rule, key('sender', 'u1', 'k3'), byKeyOnly)).toBe('403 NOT_FILE_UPLOADER');
  });

  it('opens to more readers only through the extension point', async () => {
    class PartiesToo extends UploaderOrStaffReadAccess {
      protected override async viaAttachedProof(
        actor: Actor & { kind: 'api_key' },
      ): Promise<boolean> {
        return actor.userId === 'party-user';
      }
    }
    expect(await verdict(new PartiesToo(), key('sender', 'party-user'), byUser)).toBe('allowed');
    expect(await verdict(new PartiesToo(), key('sender', 'someone-else'), byUser)).toBe(
      '403 NOT_FILE_UPLOADER',
    );
  });
});
