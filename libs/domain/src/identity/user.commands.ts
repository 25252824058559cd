import type { PublicTag, UserRegisteredData, UserRole } from './user.events';

/**
 * Registers the user as the event records it; time arrives in the command, the number from the
 * user-number sequence the same append extends.
 */
export interface RegisterUser extends Omit<UserRegisteredData, 'registeredAt' | 'role' | 'number'> {
  type: 'RegisterUser';
  role: UserRole;
  number: number;
  now: string;
}

/** Changes `isActive`, `publicTag` and `role`; a field left out is no change. */
export interface UpdateUser {
  type: 'UpdateUser';
  userId: string;
  isActive?: boolean;
  publicTag?: PublicTag | null;
  role?: UserRole;
  now: string;
}

/** Gives a user registered before numbers existed its number (once). */
export interface NumberUser {
  type: 'NumberUser';
  userId: string;
  number: number;
  now: string;
}

export type UserCommand = RegisterUser | UpdateUser | NumberUser;
