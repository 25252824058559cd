/** The streams of the transfers feature, one per owner's allowlist, user's certification, transaction. */
export const allowlistStream = (ownerId: string) => `allowlist-${ownerId}`;
export const certificationStream = (userId: string) => `certification-${userId}`;
export const transactionStream = (transactionId: string) => `transaction-${transactionId}`;
