/** The streams of identity: one per API key, one per user. */
export const apiKeyStream = (id: string) => `apikey-${id}`;
export const userStream = (id: string) => `user-${id}`;
