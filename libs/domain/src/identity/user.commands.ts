import type { PublicTag, UserRegisteredData } from './user.events';

/** Registers the user as the event records it; time arrives in the command. */
export interface RegisterUser extends Omit<UserRegisteredData, 'registeredAt'> {
  type: 'RegisterUser';
  now: string;
}

/** Changes `isActive` and `publicTag`; a field left out is no change. */
export interface UpdateUser {
  type: 'UpdateUser';
  userId: string;
  isActive?: boolean;
  publicTag?: PublicTag | null;
  now: string;
}

export type UserCommand = RegisterUser | UpdateUser;
