import type { Scope } from '@kob/kernel';

export type ApiKeyCommand =
  | {
      type: 'IssueApiKey';
      keyId: string;
      name: string;
      prefix: string;
      scope: Scope;
      userId: string | null;
      keyHash: string;
      expiresAt: string | null;
      now: string;
    }
  | { type: 'RevokeApiKey'; keyId: string; now: string };
