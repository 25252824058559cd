/**
 * Decisions are conditional on the facts they read (issue 12): `POST /transactions` is authorised
 * by the sender's allowlist (or the receiver's certification), and its append carries the
 * revisions it read. A removal from the allowlist racing the transfer is then either ordered
 * first (the transfer reads the facts again and is refused, with its one alert) or after it (the
 * transfer is done and its event precedes the removal's); never the transfer completing on a
 * removal it did not see.
 *
 * 1. Deterministic: the removal is committed between the transfer's read of the allowlist and its
 *    append (from inside the facts reader): the append conflicts, the facts are read again, and
 *    the transfer is refused.
 * 2. Racing over HTTP: many removal/transfer pairs sent together; every pair ends one of the two
 *    allowed ways, checked by the events' positions.
 */
import { randomBytes } from 'node:crypto';
import { allowlistDecider, certificationDecider, transactionDecider } from '@kob/domain';
import { DomainError, READ_PIN_EVENT, newId, systemActor } from '@kob/kernel';
import { type CommandMetadata, CommandRunner } from '@kob/platform';
import { comparePositions } from '@kob/event-store';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  anotherConnection,
  onEventStoreDb,
  storedEventCount,
  storedEvents,
} from '../support/stored-events';

const RACE_PAIRS = 16;

let api: EscrowApi;

beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const tag = () => randomBytes(4).toString('hex');
const user = async () => {
  const t = tag();
  return (
    await api.call('POST', '/users', api.keys.admin, {
      username: `p-${t}`,
      email: `p-${t}@example.org`,
    })
  ).json<{ id: string }>().id;
};
const meta = (): CommandMetadata => {
  const id = newId();
  return {
    actor: systemActor('system:test'),
    commandId: id,
    correlationId: id,
    causationId: id,
    now: new Date(),
  };
};

it('a removal committed between the read of the allowlist and the append makes the transfer decide again and refuse', async () => {
  const [sender, receiver] = await Promise.all([user(), user()]);
  expect(
    (
      await api.call('POST', '/allowlist', api.keys.admin, {
        owner_id: sender,
        recipient_id: receiver,
      })
    ).statusCode,
  ).toBe(201);
  const commands = api.t.platform.commands;
  const otherProcess = new CommandRunner(
    anotherConnection(api.t.platform, (n) => api.t.tdb.newPool(n)),
  );
  let reads = 0;
  const attempt = commands.executeWithFacts({
    decider: transactionDecider,
    metadata: meta(),
    targetStream: (id) => `transaction-${id}`,
    facts: async (reader) => {
      reads += 1;
      const allowlist = await reader.read(`allowlist-${sender}`, allowlistDecider);
      const certification = await reader.read(`certification-${receiver}`, certificationDecider);
      if (reads === 1) {
        // Another process removes the receiver now, after this command read the allowlist.
        await otherProcess.execute({
          streamId: `allowlist-${sender}`,
          decider: allowlistDecider,
          command: {
            type: 'RemoveRecipient',
            ownerId: sender,
            recipientId: receiver,
            now: new Date().toISOString(),
          },
          metadata: meta(),
        });
      }
      return allowlist.recipientIds.includes(receiver)
        ? ('allowlist' as const)
        : certification.exists
          ? ('certification' as const)
          : null;
    },
    command: (id, authorizedBy) => ({
      type: 'CompleteTransaction' as const,
      transactionId: id,
      senderId: sender,
      receiverId: receiver,
      usersExist: true,
      amount: '5.00',
      currency: 'USD',
      scale: 2,
      authorizedBy,
      now: new Date().toISOString(),
    }),
  });
  await expect(attempt).rejects.toMatchObject({ code: 'UNAUTHORIZED_TRANSFER' });
  await expect(attempt).rejects.toBeInstanceOf(DomainError);
  // Read twice: the first decision (authorised) lost to the removal, the second refused.
  expect(reads).toBe(2);
  const completed = await storedEventCount(
    api.t.platform,
    (e) => e.type === 'transaction.completed.v1' && e.data.senderId === sender,
  );
  expect(completed).toBe(0);
});

it('orders racing removals and transfers one way or the other, never a transfer after a removal it did not see', async () => {
  const outcomes = { transferFirst: 0, removalFirst: 0 };
  const pairs = await Promise.all(
    Array.from({ length: RACE_PAIRS }, async () => {
      const [sender, receiver] = await Promise.all([user(), user()]);
      expect(
        (
          await api.call('POST', '/allowlist', api.keys.admin, {
            owner_id: sender,
            recipient_id: receiver,
          })
        ).statusCode,
      ).toBe(201);
      return { sender, receiver };
    }),
  );
  await Promise.all(
    pairs.map(async ({ sender, receiver }) => {
      const [removed, transfer] = await Promise.all([
        api.call(
          'DELETE',
          `/allowlist?owner_id=${sender}&recipient_id=${receiver}`,
          api.keys.admin,
        ),
        api.call(
          'POST',
          '/transactions',
          api.keys.admin,
          { sender_id: sender, receiver_id: receiver, amount: '1.00' },
          { 'idempotency-key': `race-${tag()}` },
        ),
      ]);
      expect(removed.statusCode).toBe(200);
      const events = await storedEvents(api.t.platform);
      const removal = events.find(
        (e) => e.streamId === `allowlist-${sender}` && e.type.includes('removed'),
      );
      const completed = events.find(
        (e) => e.type === 'transaction.completed.v1' && e.data.senderId === sender,
      );
      expect(removal).toBeDefined();
      if (transfer.statusCode === 201) {
        // Decided before the removal: in one transaction with the condition on PostgreSQL, the
        // transfer's event was written first; on EventStoreDB the read pin it wrote on the
        // allowlist at the revision it read was (the transfer's event may follow the removal).
        const decided = onEventStoreDb(api.t.platform)
          ? events.find(
              (e) =>
                e.streamId === `allowlist-${sender}` &&
                e.type === READ_PIN_EVENT &&
                e.data.decision.streamId === completed!.streamId,
            )
          : completed;
        expect(comparePositions(decided!.position, removal!.position)).toBeLessThan(0);
        outcomes.transferFirst += 1;
      } else {
        expect([transfer.statusCode, transfer.json().error.code]).toEqual([
          403,
          'UNAUTHORIZED_TRANSFER',
        ]);
        expect(completed).toBeUndefined();
        outcomes.removalFirst += 1;
      }
    }),
  );
  expect(outcomes.transferFirst + outcomes.removalFirst).toBe(RACE_PAIRS);
});
