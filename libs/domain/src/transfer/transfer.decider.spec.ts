/** Restricted transfers as given/when/then specs: the allowlist adds once and removes what is
 * there, certification records level changes only, and a transaction completes only between
 * known, distinct users, for a positive amount at scale, when the receiver is allowlisted or
 * certified. */
import { deciderSpec } from '../testing/decider-spec';
import { allowlistDecider } from './allowlist.decider';
import { certificationDecider } from './certification.decider';
import { transactionDecider } from './transaction.decider';
import type { AllowlistEvent, CertificationEvent, TransactionEvent } from './transfer.events';

const NOW = '2026-11-27T10:00:00.000Z';
const LATER = '2026-11-28T10:00:00.000Z';
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const T = '33333333-3333-4333-8333-333333333333';

const added: AllowlistEvent = {
  type: 'allowlist.recipient_added.v1',
  data: { ownerId: A, recipientId: B, addedAt: NOW },
};
const removed: AllowlistEvent = {
  type: 'allowlist.recipient_removed.v1',
  data: { ownerId: A, recipientId: B, removedAt: LATER },
};

describe('allowlist decider', () => {
  const spec = deciderSpec(allowlistDecider);
  const add = {
    type: 'AddRecipient' as const,
    ownerId: A,
    recipientId: B,
    usersExist: true,
    now: NOW,
  };
  const remove = { type: 'RemoveRecipient' as const, ownerId: A, recipientId: B, now: LATER };

  it('adds a recipient once', () => {
    spec.given([]).when(add).then([added]);
    spec.given([added]).when(add).then([]);
    spec.given([added, removed]).when(add).then([added]);
  });

  it('refuses unknown users (B8) and the owner itself', () => {
    spec
      .given([])
      .when({ ...add, usersExist: false })
      .thenError('USER_NOT_FOUND');
    spec
      .given([])
      .when({ ...add, recipientId: A })
      .thenError('VALIDATION_ERROR');
  });

  it('removes only what is there', () => {
    spec.given([added]).when(remove).then([removed]);
    spec.given([]).when(remove).thenError('ALLOWLIST_ENTRY_NOT_FOUND');
    spec.given([added, removed]).when(remove).thenError('ALLOWLIST_ENTRY_NOT_FOUND');
  });
});

describe('certification decider', () => {
  const spec = deciderSpec(certificationDecider);
  const certify = {
    type: 'Certify' as const,
    userId: A,
    userExists: true,
    level: 'BASIC' as const,
    now: NOW,
  };
  const basic: CertificationEvent = {
    type: 'certification.updated.v1',
    data: { userId: A, level: 'BASIC', certifiedAt: NOW },
  };

  it('records a level and its changes, not repeats', () => {
    spec.given([]).when(certify).then([basic]);
    spec.given([basic]).when(certify).then([]);
    spec
      .given([basic])
      .when({ ...certify, level: 'GOLD', now: LATER })
      .then([
        {
          type: 'certification.updated.v1',
          data: { userId: A, level: 'GOLD', certifiedAt: LATER },
        },
      ]);
  });

  it('refuses an unknown user or level', () => {
    spec
      .given([])
      .when({ ...certify, userExists: false })
      .thenError('USER_NOT_FOUND');
    spec
      .given([])
      .when({ ...certify, level: 'PLATINUM' as never })
      .thenError('VALIDATION_ERROR');
  });

  it('keeps the first certification date as createdAt', () => {
    const gold: CertificationEvent = {
      type: 'certification.updated.v1',
      data: { userId: A, level: 'GOLD', certifiedAt: LATER },
    };
    const state = [basic, gold].reduce(
      certificationDecider.evolve,
      certificationDecider.initialState(),
    );
    expect(state).toMatchObject({
      exists: true,
      level: 'GOLD',
      certifiedAt: LATER,
      createdAt: NOW,
    });
  });
});

describe('transaction decider', () => {
  const spec = deciderSpec(transactionDecider);
  const complete = {
    type: 'CompleteTransaction' as const,
    transactionId: T,
    senderId: A,
    receiverId: B,
    usersExist: true,
    amount: '10.5',
    currency: 'USD',
    scale: 2,
    authorizedBy: 'allowlist' as 'allowlist' | 'certification' | null,
    now: NOW,
  };
  const completed: TransactionEvent = {
    type: 'transaction.completed.v1',
    data: {
      transactionId: T,
      senderId: A,
      receiverId: B,
      amount: '10.50',
      currency: 'USD',
      scale: 2,
      authorizedBy: 'allowlist',
      completedAt: NOW,
    },
  };

  it('completes an authorised transfer once, amount at scale', () => {
    spec.given([]).when(complete).then([completed]);
    spec
      .given([])
      .when({ ...complete, authorizedBy: 'certification' })
      .then([{ ...completed, data: { ...completed.data, authorizedBy: 'certification' } }]);
    spec.given([completed]).when(complete).thenError('TRANSACTION_EXISTS');
  });

  it('refuses a receiver neither allowlisted nor certified', () => {
    spec
      .given([])
      .when({ ...complete, authorizedBy: null })
      .thenError('UNAUTHORIZED_TRANSFER');
  });

  it('refuses unknown or identical users', () => {
    spec
      .given([])
      .when({ ...complete, usersExist: false })
      .thenError('USER_NOT_FOUND');
    spec
      .given([])
      .when({ ...complete, receiverId: A })
      .thenError('VALIDATION_ERROR');
  });

  it('refuses amounts that are not positive or not at scale', () => {
    spec
      .given([])
      .when({ ...complete, amount: '0' })
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when({ ...complete, amount: '-1.00' })
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when({ ...complete, amount: '1.001' })
      .thenError('AMOUNT_PRECISION');
    spec
      .given([])
      .when({ ...complete, amount: 'ten' })
      .thenError('VALIDATION_ERROR');
  });
});
