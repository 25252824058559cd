/**
 * User decider: registered once; updates change `isActive` and `publicTag` only, and an update
 * that changes nothing appends nothing.
 */
import { DomainError } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertFound, assertNew, decideByType } from '../decider-kit';
import type { UpdateUser, UserCommand } from './user.commands';
import type { PublicTag, UserEvent } from './user.events';

export interface UserState {
  exists: boolean;
  userId: string;
  username: string;
  email: string;
  isActive: boolean;
  publicTag: PublicTag | null;
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
          createdAt: event.data.registeredAt,
          updatedAt: event.data.registeredAt,
        };
      case 'user.updated.v1':
        return { ...state, ...event.data.changes, updatedAt: event.data.updatedAt };
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
            },
          },
        ];
      },
      UpdateUser: decideUpdate,
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
  const changes: { isActive?: boolean; publicTag?: PublicTag | null } = {};
  if (command.isActive !== undefined && command.isActive !== state.isActive)
    changes.isActive = command.isActive;
  if (command.publicTag !== undefined && command.publicTag !== state.publicTag)
    changes.publicTag = command.publicTag;
  if (Object.keys(changes).length === 0) return [];
  return [
    {
      type: 'user.updated.v1',
      data: { userId: state.userId, changes, updatedAt: command.now },
    },
  ];
}
