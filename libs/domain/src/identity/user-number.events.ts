/**
 * The user-number sequence: one stream whose n-th event (revision n - 1) gives number n to one
 * user. A registration appends to it at the revision it read, in the same append as the user, so
 * two registrations never take one number (the second conflicts and reads again) and numbers
 * follow the order in which registrations committed. A number resolves to its user by reading
 * that one event (never a read model).
 */
export const USER_NUMBER_SEQUENCE_STREAM = 'usernumber-sequence';

export type UserNumberEvent = {
  type: 'usernumber.assigned.v1';
  data: { number: number; userId: string };
};

/** The sequence's revision that holds `number` (numbers start at 1). */
export const userNumberRevision = (number: number): bigint => BigInt(number - 1);
