/**
 * API key decider: issued once, revoked at most once (a repeated revoke appends nothing).
 */
import { DomainError, type Scope, assertNever } from '@kob/kernel';
import type { Decider } from '../decider';
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
  decide(command, state) {
    switch (command.type) {
      case 'IssueApiKey': {
        if (state.exists)
          throw new DomainError('APIKEY_EXISTS', 'this API key already exists', 'conflict');
        const { type: _t, now, ...data } = command;
        return [{ type: 'apikey.issued.v1', data: { ...data, issuedAt: now } }];
      }
      case 'RevokeApiKey':
        if (!state.exists)
          throw new DomainError('APIKEY_NOT_FOUND', 'no such API key', 'not_found');
        if (state.revokedAt) return [];
        return [
          { type: 'apikey.revoked.v1', data: { keyId: state.keyId, revokedAt: command.now } },
        ];
      default:
        return assertNever(command, 'api key command');
    }
  },
};
