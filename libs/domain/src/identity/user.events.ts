/**
 * Users: the people and organisations behind API keys. Username and email are unique through
 * reservation streams claimed in the same append as `user.registered.v1`.
 */
export type PublicTag = 'GOV' | 'ONG' | 'private';

export interface UserRegisteredData {
  userId: string;
  username: string;
  email: string;
  isActive: boolean;
  publicTag: PublicTag | null;
  registeredAt: string;
}

export type UserEvent =
  | { type: 'user.registered.v1'; data: UserRegisteredData }
  | {
      type: 'user.updated.v1';
      data: {
        userId: string;
        changes: { isActive?: boolean; publicTag?: PublicTag | null };
        updatedAt: string;
      };
    };
