/** Users and API keys as given/when/then specs: register once, updates that change nothing
 * append nothing, a key is issued once and revoked at most once. */
import { deciderSpec } from '../testing/decider-spec';
import { apiKeyDecider } from './apikey.decider';
import type { ApiKeyEvent } from './apikey.events';
import { scopeOfRole, userDecider } from './user.decider';
import { USER_ROLES, type UserRegisteredData } from './user.events';

const NOW = '2026-11-24T10:00:00.000Z';
const registered: { type: 'user.registered.v1'; data: UserRegisteredData } = {
  type: 'user.registered.v1',
  data: {
    userId: 'u1',
    username: 'ann',
    email: 'ann@example.org',
    isActive: true,
    publicTag: null,
    registeredAt: NOW,
    role: 'user',
    number: 1,
  },
};

describe('user decider', () => {
  const spec = deciderSpec(userDecider);

  it('registers once', () => {
    spec
      .given([])
      .when({
        type: 'RegisterUser',
        userId: 'u1',
        username: 'ann',
        email: 'ann@example.org',
        isActive: true,
        publicTag: null,
        role: 'user',
        number: 1,
        now: NOW,
      })
      .then([registered]);
    spec
      .given([registered])
      .when({
        type: 'RegisterUser',
        userId: 'u1',
        username: 'ann',
        email: 'ann@example.org',
        isActive: true,
        publicTag: null,
        role: 'user',
        number: 1,
        now: NOW,
      })
      .thenError('USER_EXISTS');
  });

  it('folds an event from before roles and numbers as role user, no number', () => {
    const { role: _r, number: _n, ...legacy } = registered.data;
    const state = [{ type: 'user.registered.v1' as const, data: legacy }].reduce(
      userDecider.evolve,
      userDecider.initialState(),
    );
    expect(state).toMatchObject({ exists: true, role: 'user', number: null });
  });

  it('numbers a user registered before numbers once, never renumbers', () => {
    const { number: _n, ...legacy } = registered.data;
    const unnumbered = { type: 'user.registered.v1' as const, data: legacy };
    const numbered = {
      type: 'user.numbered.v1' as const,
      data: { userId: 'u1', number: 7, numberedAt: NOW },
    };
    spec
      .given([unnumbered])
      .when({ type: 'NumberUser', userId: 'u1', number: 7, now: NOW })
      .then([numbered]);
    spec
      .given([unnumbered, numbered])
      .when({ type: 'NumberUser', userId: 'u1', number: 8, now: NOW })
      .thenError('USER_ALREADY_NUMBERED');
    spec
      .given([registered])
      .when({ type: 'NumberUser', userId: 'u1', number: 8, now: NOW })
      .thenError('USER_ALREADY_NUMBERED');
    spec
      .given([])
      .when({ type: 'NumberUser', userId: 'u1', number: 1, now: NOW })
      .thenError('USER_NOT_FOUND');
  });

  it('changes the role, refuses one that is not a role, and maps roles to scopes', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateUser', userId: 'u1', role: 'support', now: NOW })
      .then([
        {
          type: 'user.updated.v1',
          data: { userId: 'u1', changes: { role: 'support' }, updatedAt: NOW },
        },
      ]);
    spec
      .given([registered])
      .when({ type: 'UpdateUser', userId: 'u1', role: 'user', now: NOW })
      .then([]);
    spec
      .given([registered])
      .when({ type: 'UpdateUser', userId: 'u1', role: 'advisor' as never, now: NOW })
      .thenError('VALIDATION_ERROR');
    expect(USER_ROLES.map(scopeOfRole)).toEqual(['sender', 'support', 'admin', 'auditor']);
  });

  it('records only real changes', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateUser', userId: 'u1', isActive: false, publicTag: null, now: NOW })
      .then([
        {
          type: 'user.updated.v1',
          data: { userId: 'u1', changes: { isActive: false }, updatedAt: NOW },
        },
      ]);
    spec
      .given([registered])
      .when({ type: 'UpdateUser', userId: 'u1', isActive: true, now: NOW })
      .then([]);
    spec
      .given([])
      .when({ type: 'UpdateUser', userId: 'u1', isActive: true, now: NOW })
      .thenError('USER_NOT_FOUND');
    // null is no state a user can be in (an event holding it would stop the users read model).
    spec
      .given([registered])
      .when({ type: 'UpdateUser', userId: 'u1', isActive: null as unknown as boolean, now: NOW })
      .thenError('VALIDATION_ERROR');
  });
});

describe('API key decider', () => {
  const spec = deciderSpec(apiKeyDecider);
  const issued: ApiKeyEvent = {
    type: 'apikey.issued.v1',
    data: {
      keyId: 'k1',
      name: 'n',
      prefix: 'koba_abcdef',
      scope: 'support',
      userId: null,
      keyHash: 'h',
      expiresAt: null,
      issuedAt: NOW,
    },
  };

  it('issues once and revokes at most once', () => {
    spec
      .given([])
      .when({
        type: 'IssueApiKey',
        keyId: 'k1',
        name: 'n',
        prefix: 'koba_abcdef',
        scope: 'support',
        userId: null,
        keyHash: 'h',
        expiresAt: null,
        now: NOW,
      })
      .then([issued]);
    spec
      .given([issued])
      .when({ type: 'RevokeApiKey', keyId: 'k1', now: NOW })
      .then([{ type: 'apikey.revoked.v1', data: { keyId: 'k1', revokedAt: NOW } }]);
    spec
      .given([issued, { type: 'apikey.revoked.v1', data: { keyId: 'k1', revokedAt: NOW } }])
      .when({ type: 'RevokeApiKey', keyId: 'k1', now: NOW })
      .then([]);
    spec
      .given([])
      .when({ type: 'RevokeApiKey', keyId: 'k1', now: NOW })
      .thenError('APIKEY_NOT_FOUND');
  });

  it('keeps the hash out of the folded state', () => {
    const state = apiKeyDecider.evolve(apiKeyDecider.initialState(), issued);
    expect(JSON.stringify(state)).not.toContain('keyHash');
  });
});
