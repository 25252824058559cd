import type { ApiKeyIssuedData } from './apikey.events';

/** Issues a key: the event's data as the handler built it; time arrives in the command. */
export interface IssueApiKey extends Omit<ApiKeyIssuedData, 'issuedAt'> {
  type: 'IssueApiKey';
  now: string;
}

export type ApiKeyCommand = IssueApiKey | { type: 'RevokeApiKey'; keyId: string; now: string };
