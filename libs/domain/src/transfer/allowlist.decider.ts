/**
 * Allowlist decider (`allowlist-{ownerUserId}`): the recipients an owner may send restricted
 * transfers to. Adding a recipient already there appends nothing (`exists`); removing one that is
 * not there is a 404. Unknown users are a 404 (the old service answered 500, B8).
 */
import { DomainError, assertNever } from '@kob/kernel';
import type { Decider } from '../decider';
import { invalid } from '../escrow/escrow.validate';
import type { AllowlistCommand } from './transfer.commands';
import type { AllowlistEvent } from './transfer.events';

export interface AllowlistState {
  ownerId: string;
  recipientIds: string[];
}

export const allowlistDecider: Decider<AllowlistState, AllowlistCommand, AllowlistEvent> = {
  category: 'allowlist',
  initialState: () => ({ ownerId: '', recipientIds: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'allowlist.recipient_added.v1':
        return {
          ownerId: event.data.ownerId,
          recipientIds: state.recipientIds.includes(event.data.recipientId)
            ? state.recipientIds
            : [...state.recipientIds, event.data.recipientId],
        };
      case 'allowlist.recipient_removed.v1':
        return {
          ownerId: event.data.ownerId,
          recipientIds: state.recipientIds.filter((id) => id !== event.data.recipientId),
        };
      default:
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'AddRecipient':
        if (command.ownerId === command.recipientId)
          throw invalid('recipient_id', 'must differ from owner_id');
        if (!command.usersExist)
          throw new DomainError('USER_NOT_FOUND', 'User not found.', 'not_found');
        if (state.recipientIds.includes(command.recipientId)) return [];
        return [
          {
            type: 'allowlist.recipient_added.v1',
            data: {
              ownerId: command.ownerId,
              recipientId: command.recipientId,
              addedAt: command.now,
            },
          },
        ];
      case 'RemoveRecipient':
        if (!state.recipientIds.includes(command.recipientId)) {
          throw new DomainError(
            'ALLOWLIST_ENTRY_NOT_FOUND',
            'This recipient is not on the allowlist.',
            'not_found',
          );
        }
        return [
          {
            type: 'allowlist.recipient_removed.v1',
            data: {
              ownerId: command.ownerId,
              recipientId: command.recipientId,
              removedAt: command.now,
            },
          },
        ];
      default:
        return assertNever(command, 'allowlist command');
    }
  },
};
