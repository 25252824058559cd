/**
 * Users: the people and organisations behind API keys. Username and email are unique through
 * reservation streams claimed in the same append as `user.registered.v1`. A user's `number` (a
 * positive integer, assigned once, in order) is taken on the user-number sequence stream in the
 * same append (user-number.events.ts); users registered before numbers existed get theirs once,
 * in registration order, by `user.numbered.v1`. Events from before roles and numbers carry
 * neither: the role is then `user`, the number the one a later `user.numbered.v1` gives.
 */
export type PublicTag = 'GOV' | 'ONG' | 'private';

/** What a user may do when it logs in (FRONTEND-CONTRACT D2); set by admins only. */
export const USER_ROLES = ['user', 'support', 'admin', 'auditor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserRegisteredData {
  userId: string;
  username: string;
  email: string;
  isActive: boolean;
  publicTag: PublicTag | null;
  registeredAt: string;
  /** absent on events from before roles: `user` */
  role?: UserRole;
  /** absent on events from before numbers: see `user.numbered.v1` */
  number?: number;
}

export type UserEvent =
  | { type: 'user.registered.v1'; data: UserRegisteredData }
  | {
      type: 'user.updated.v1';
      data: {
        userId: string;
        changes: { isActive?: boolean; publicTag?: PublicTag | null; role?: UserRole };
        updatedAt: string;
      };
    }
  | { type: 'user.numbered.v1'; data: { userId: string; number: number; numberedAt: string } };
