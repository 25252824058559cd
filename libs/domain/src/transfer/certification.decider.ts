/**
 * Certification decider (`certification-{userId}`): a user's level, BASIC or GOLD. Certifying at
 * another level records the change; the same level again appends nothing (the answer says
 * `unchanged`, and `certified_at` keeps the date the level was granted).
 */
import { DomainError, assertNever } from '@kob/kernel';
import type { Decider } from '../decider';
import { invalid } from '../escrow/escrow.validate';
import type { CertificationCommand } from './transfer.commands';
import {
  type CertificationEvent,
  type CertificationLevel,
  certificationLevels,
} from './transfer.events';

export interface CertificationState {
  exists: boolean;
  userId: string;
  level: CertificationLevel | null;
  certifiedAt: string;
  createdAt: string;
}

export const certificationDecider: Decider<
  CertificationState,
  CertificationCommand,
  CertificationEvent
> = {
  category: 'certification',
  initialState: () => ({ exists: false, userId: '', level: null, certifiedAt: '', createdAt: '' }),
  evolve(state, event) {
    switch (event.type) {
      case 'certification.updated.v1':
        return {
          exists: true,
          userId: event.data.userId,
          level: event.data.level,
          certifiedAt: event.data.certifiedAt,
          createdAt: state.exists ? state.createdAt : event.data.certifiedAt,
        };
      default:
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'Certify':
        if (!certificationLevels.includes(command.level))
          throw invalid('level', `must be one of ${certificationLevels.join(', ')}`);
        if (!command.userExists)
          throw new DomainError('USER_NOT_FOUND', 'User not found.', 'not_found');
        if (state.level === command.level) return [];
        return [
          {
            type: 'certification.updated.v1',
            data: { userId: command.userId, level: command.level, certifiedAt: command.now },
          },
        ];
      default:
        return assertNever(command.type, 'certification command');
    }
  },
};
