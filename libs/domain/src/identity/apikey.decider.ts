/**
 * API key decider: issued once, revoked at most once (a repeated revoke appends nothing).
 */
import type { Scope } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertFound, assertNew, decideByType } from '../decider-kit';
import type { ApiKeyCommand } from './apikey.commands';
import type { ApiKeyEvent } from './apikey.events';

export interface ApiKeyState {
  exists: boolean;
  keyId: string;
  name: string;
  prefix: string;
  scope: Scope;
  userId: string | null;
  expiresAt: string | null;
  issuedAt: string;
  revokedAt: string | null;
}

export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = {
  category: 'apikey',
  initialState: () => ({
    exists: false,
    keyId: '',
    name: '',
    prefix: '',
    scope: 'sender',
    userId: null,
    expiresAt: null,
    issuedAt: '',
    revokedAt: null,
  }),
  evolve(state, event) {
    switch (event.type) {
      case 'apikey.issued.v1': {
        const { keyHash: _hash, ...rest } = event.data;
        return { ...state, ...rest, exists: true, revokedAt: null };
      }
      case 'apikey.revoked.v1':
        return { ...state, revokedAt: event.data.revokedAt };
      default:
        return state;
    }
  },
  decide: decideByType(
    {
      IssueApiKey(command, state) {
        assertNew(state, 'APIKEY_EXISTS', 'API key');
        const { type: _t, now, ...data } = command;
        return [{ type: 'apikey.issued.v1', data: { ...data, issuedAt: now } }];
      },
      RevokeApiKey(command, state) {
        assertFound(state, 'APIKEY_NOT_FOUND', 'API key');
        if (state.revokedAt) return [];
        return [
          { type: 'apikey.revoked.v1', data: { keyId: state.keyId, revokedAt: command.now } },
        ];
      },
    },
    'api key command',
  ),
};
