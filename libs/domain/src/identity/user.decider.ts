/**
 * User decider: registered once, with its role and number; updates change `isActive`,
 * `publicTag` and `role` only, and an update that changes nothing appends nothing. A user
 * registered before numbers existed is numbered once (`NumberUser`); a number is never changed.
 */
import { DomainError, type Scope } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertFound, assertNew, decideByType } from '../decider-kit';
import type { NumberUser, UpdateUser, UserCommand } from './user.commands';
import { type PublicTag, USER_ROLES, type UserEvent, type UserRole } from './user.events';

/** The key scope a role logs in with (FRONTEND-CONTRACT D2): a `user` sends and provides. */
export function scopeOfRole(role: UserRole): Scope {
  return role === 'user' ? 'sender' : role;
}

export interface UserState {
  exists: boolean;
  userId: string;
  username: string;
  email: string;
  isActive: boolean;
  publicTag: PublicTag | null;
  role: UserRole;
  /** null until numbered (a user registered before numbers existed) */
  number: number | null;
  createdAt: string;
  updatedAt: string;
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  category: 'user',
  initialState: () => ({
    exists: false,
    userId: '',
    username: '',
    email: '',
    isActive: false,
    publicTag: null,
    role: 'user',
    number: null,
    createdAt: '',
    updatedAt: '',
  }),
  evolve(state, event) {
    switch (event.type) {
      case 'user.registered.v1':
        return {
          exists: true,
          userId: event.data.userId,
          username: event.data.username,
          email: event.data.email,
          isActive: event.data.isActive,
          publicTag: event.data.publicTag,
          role: event.data.role ?? 'user',
          number: event.data.number ?? null,
          createdAt: event.data.registeredAt,
          updatedAt: event.data.registeredAt,
        };
      case 'user.updated.v1':
        return { ...state, ...event.data.changes, updatedAt: event.data.updatedAt };
      case 'user.numbered.v1':
        return { ...state, number: event.data.number };
      default:
        return state;
    }
  },
  decide: decideByType(
    {
      RegisterUser(command, state) {
        assertNew(state, 'USER_EXISTS', 'user');
        return [
          {
            type: 'user.registered.v1',
            data: {
              userId: command.userId,
              username: command.username,
              email: command.email,
              isActive: command.isActive,
              publicTag: command.publicTag,
              registeredAt: command.now,
              role: command.role,
              number: command.number,
            },
          },
        ];
      },
      UpdateUser: decideUpdate,
      NumberUser: decideNumber,
    },
    'user command',
  ),
};

function decideUpdate(command: UpdateUser, state: UserState): UserEvent[] {
  assertFound(state, 'USER_NOT_FOUND', 'user');
  // A user is active or not: null (or anything but a boolean) is no change this stream can
  // record, and an event holding it would be one no read model can apply.
  if (command.isActive !== undefined && typeof command.isActive !== 'boolean') {
    throw new DomainError('VALIDATION_ERROR', 'is_active must be true or false', 'invalid', {
      fields: { is_active: ['must be a boolean'] },
    });
  }
  if (command.role !== undefined && !USER_ROLES.includes(command.role)) {
    throw new DomainError(
      'VALIDATION_ERROR',
      `role must be one of ${USER_ROLES.join(', ')}`,
      'invalid',
      {
        fields: { role: [`must be one of ${USER_ROLES.join(', ')}`] },
      },
    );
  }
  const changes: { isActive?: boolean; publicTag?: PublicTag | null; role?: UserRole } = {};
  if (command.isActive !== undefined && command.isActive !== state.isActive)
    changes.isActive = command.isActive;
  if (command.publicTag !== undefined && command.publicTag !== state.publicTag)
    changes.publicTag = command.publicTag;
  if (command.role !== undefined && command.role !== state.role) changes.role = command.role;
  if (Object.keys(changes).length === 0) return [];
  return [
    {
      type: 'user.updated.v1',
      data: { userId: state.userId, changes, updatedAt: command.now },
    },
  ];
}

function decideNumber(command: NumberUser, state: UserState): UserEvent[] {
  assertFound(state, 'USER_NOT_FOUND', 'user');
  if (state.number !== null) {
    throw new DomainError(
      'USER_ALREADY_NUMBERED',
      `user already has number ${state.number}`,
      'conflict',
    );
  }
  return [
    {
      type: 'user.numbered.v1',
      data: { userId: state.userId, number: command.number, numberedAt: command.now },
    },
  ];
}
