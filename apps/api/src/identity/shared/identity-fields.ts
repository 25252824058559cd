/** What the users and API key bodies share: public tags, scopes, trimming. */
export const PUBLIC_TAGS = ['GOV', 'ONG', 'private'] as const;
export const SCOPES = ['sender', 'support', 'auditor', 'admin'] as const;
export const API_KEY_DAYS_VALID_MAX = 3650;

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
