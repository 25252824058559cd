/**
 * Helpers of the mandate and purchase tests: fresh users with sender keys (so each test has its
 * own (sender, beneficiary, currency) slots), catalogue entries (categories, merchants, usage
 * allows) seeded through the catalogue deciders on their streams, mandates created over HTTP or,
 * for ones already past their expiry, through the service with an injected earlier clock, and
 * the audit trail of a stream.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { merchantDecider, spendCategoryDecider, usageAllowDecider } from '@kob/domain';
import { newId, systemActor } from '@kob/kernel';
import { MandateServices } from '../../apps/api/src/mandates/shared';
import type { CommandMetadata } from '@kob/platform';
import { Money } from '@kob/kernel';
import type { EscrowApi } from '../support/escrow-api';
import { projectionsCaughtUp } from '../support/caught-up';

export const HOUR_MS = 3_600_000;
export const inHours = (h: number) => new Date(Date.now() + h * HOUR_MS).toISOString();

export function testMetadata(now = new Date()): CommandMetadata {
  const id = newId();
  return {
    actor: systemActor('system:test'),
    commandId: id,
    correlationId: id,
    causationId: id,
    now,
  };
}

export async function newUser(api: EscrowApi, name = 'user'): Promise<{ id: string; key: string }> {
  const tag = randomBytes(4).toString('hex');
  const user = await api.call('POST', '/users', api.keys.admin, {
    username: `${name}-${tag}`,
    email: `${name}-${tag}@example.org`,
  });
  if (user.statusCode !== 201) throw new Error(`create user: ${user.statusCode} ${user.body}`);
  const id = user.json().id as string;
  const key = (
    await api.call('POST', '/apikeys', api.keys.admin, { name, scope: 'sender', user_id: id })
  ).json().key as string;
  return { id, key };
}

export async function newCategory(api: EscrowApi): Promise<string> {
  const id = randomUUID();
  await api.t.platform.commands.execute({
    streamId: `spend_category-${id}`,
    decider: spendCategoryDecider,
    command: {
      type: 'CreateSpendCategory',
      categoryId: id,
      code: `c-${id.slice(0, 8)}`,
      label: 'Category',
      now: new Date().toISOString(),
    },
    metadata: testMetadata(),
  });
  return id;
}

export async function newMerchant(
  api: EscrowApi,
  categoryId: string | null,
  isCertified = false,
): Promise<string> {
  const id = randomUUID();
  await api.t.platform.commands.execute({
    streamId: `merchant-${id}`,
    decider: merchantDecider,
    command: {
      type: 'CreateMerchant',
      merchantId: id,
      name: `Shop ${id.slice(0, 8)}`,
      categoryId,
      categoryExists: categoryId !== null,
      isCertified,
      now: new Date().toISOString(),
    },
    metadata: testMetadata(),
  });
  return id;
}

export async function allow(
  api: EscrowApi,
  ownerId: string,
  target: { merchantId?: string; categoryId?: string },
): Promise<void> {
  await api.t.platform.commands.execute({
    streamId: `usage_allow-${ownerId}`,
    decider: usageAllowDecider,
    command: {
      type: 'AllowUsage',
      ownerId,
      ownerExists: true,
      merchantId: target.merchantId ?? null,
      categoryId: target.categoryId ?? null,
      targetExists: true,
      now: new Date().toISOString(),
    },
    metadata: testMetadata(),
  });
}

/** A mandate over HTTP (201 expected): the sender's key, USD 100.00 for a day unless told. */
export async function createMandate(
  api: EscrowApi,
  sender: { id: string; key: string },
  beneficiaryId: string,
  over: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Record<string, any>> {
  const res = await api.call(
    'POST',
    '/mandates',
    sender.key,
    {
      sender_id: sender.id,
      beneficiary_id: beneficiaryId,
      total_amount: '100.00',
      currency: 'USD',
      expires_at: inHours(24),
      ...over,
    },
    headers,
  );
  if (res.statusCode !== 201) throw new Error(`create mandate: ${res.statusCode} ${res.body}`);
  return res.json();
}

/**
 * An ACTIVE mandate already past its expiry: created two hours ago (injected clock) to expire
 * one hour ago, by the `system:test` actor. Returns its id.
 */
export async function pastDueMandate(
  api: EscrowApi,
  senderId: string,
  beneficiaryId: string,
  currency = 'USD',
): Promise<string> {
  const services = new MandateServices(api.t.platform);
  const result = await services.create(
    {
      senderId,
      beneficiaryId,
      total: Money.parse('50.00', currency, api.t.platform.config.currencies),
      allowedCategoryId: null,
      allowedMerchantId: null,
      expiresAt: inHours(-1),
    },
    testMetadata(new Date(Date.now() - 2 * HOUR_MS)),
  );
  await caughtUp(api);
  return result.id;
}

/** Waits until this process's read models have applied every event. */
export async function caughtUp(api: EscrowApi): Promise<void> {
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
}

/**
 * The raw events of a stream: type, data, actor, and `tx`, the unit a command's appends commit
 * in: PostgreSQL's transaction (same tx = one atomic append); on EventStoreDB, which has no
 * multi-stream transaction and writes a command's streams in steps, the command itself.
 */
export async function streamEvents(
  api: EscrowApi,
  streamId: string,
): Promise<{ type: string; tx: string; data: any; actor: any }[]> {
  const events = await api.t.platform.store.readStream(streamId);
  return events.map((e) => ({
    type: e.type,
    tx:
      api.t.platform.store.name === 'eventstoredb'
        ? `command ${String(e.metadata.commandId)}`
        : e.position.tx.toString(),
    data: e.data,
    actor: e.metadata.actor,
  }));
}

/** `GET /audit/events?stream=…` as support: the audit trail's actor labels and types. */
export async function audit(
  api: EscrowApi,
  streamId: string,
): Promise<{ type: string; actor_label: string }[]> {
  await caughtUp(api);
  const res = await api.call(
    'GET',
    `/audit/events?stream=${encodeURIComponent(streamId)}`,
    api.keys.support,
  );
  expect(res.statusCode).toBe(200);
  return res.json().items.map((i: any) => ({ type: i.type, actor_label: i.actor_label }));
}

/** The events of the (sender, beneficiary, currency) slot's reservation stream. */
export async function slotEvents(
  api: EscrowApi,
  senderId: string,
  beneficiaryId: string,
  currency = 'USD',
) {
  return streamEvents(
    api,
    await api.t.platform.reservationStream(
      'mandate-slot',
      `${senderId}\n${beneficiaryId}\n${currency}`,
    ),
  );
}

export const prefixOf = (key: string) => key.split('.')[0]!;
