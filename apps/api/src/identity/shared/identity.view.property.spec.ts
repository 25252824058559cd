/**
 * Properties of the user and API key views (issue 12): users folded from events or read as rows,
 * and key rows, whatever their usernames, emails and key names hold, come out as well-formed
 * JSON that survives a round trip, with those values unchanged.
 */
import fc from 'fast-check';
import { userDecider } from '@kob/domain';
import { buildIdentity, identityInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { A_TIME, fold, viewProblems } from '@test/view-property';
import { apiKeyRowView } from './api-key.view';
import { userRowView, userStateView } from './user.view';

describe('identity views under arbitrary names', () => {
  it('are well-formed and keep usernames, emails and key names', () => {
    fc.assert(
      fc.property(identityInputs, (i) => {
        const [user] = buildIdentity(i).appends;
        const fromState = userStateView(fold(userDecider, user!.events));
        const fromRow = userRowView({
          id: 'u',
          username: i.username,
          email: i.email,
          is_active: true,
          public_tag: null,
          created_at: A_TIME,
          updated_at: A_TIME,
        });
        const key = apiKeyRowView({
          id: 'k',
          name: i.keyName,
          prefix: 'koba_abcdef',
          scope: i.scope,
          user_id: 'u',
          user_active: true,
          expires_at: null,
          revoked_at: i.revoke ? A_TIME : null,
          created_at: A_TIME,
          last_used_at: null,
        });
        expect(viewProblems([fromState, fromRow, key])).toEqual([]);
        expect([
          fromState.username,
          fromState.email,
          fromRow.username,
          fromRow.email,
          key.name,
          key.is_active,
        ]).toEqual([i.username, i.email, i.username, i.email, i.keyName, !i.revoke]);
      }),
      propertyParams(50),
    );
  });
});
