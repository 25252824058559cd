/**
 * Usage mandates and purchases (KOBATELA-SPEC.md §4.13, API-RULES.md §4, §5), on the command
 * pipeline:
 * - create: the parties, the allowed merchant and category are checked on their streams, then
 *   `mandate.created.v1` is appended with the claim of the (sender, beneficiary, currency) slot
 *   in one atomic append. A slot held by an ACTIVE mandate that is past its expiry is handed over
 *   in that same append: the holder is expired (reason `replaced`) at its revision.
 * - purchase: replay first (the idempotency reservation names the first purchase even if the
 *   mandate has since been consumed or expired), then merchant, category, the mandate found
 *   through the slot's owner, its restrictions, the beneficiary's allowance; the consumption is
 *   decided on the mandate stream, queued per mandate in this process, the slot released in
 *   the append that consumes it.
 * - expire (the cleanup slice and the scheduler job): decided again on the stream (nothing is
 *   appended for a mandate not really due), the slot released in the same append.
 * Read models are only ever a to-do list (cleanup candidates), never a basis for a decision.
 */
import {
  type CreateMandate,
  type MandateEvent,
  type MandateExpiryReason,
  type MandateState,
  type MerchantState,
  isUsageAllowed,
  mandateDecider,
  mandateIsUsable,
  mandateRequired,
  merchantDecider,
  spendCategoryDecider,
  usageAllowDecider,
  userDecider,
} from '@kob/domain';
import type { Position } from '@kob/event-store';
import { DomainError, type Money, assert } from '@kob/kernel';
import {
  type AppendedEvent,
  type CommandMetadata,
  type CommandResult,
  type PinnedReader,
  type Platform,
} from '@kob/platform';
import { type SlotKey, readSlot, releaseSlot, takeSlot } from './mandate-slot';

export const mandateLimits = {
  /** Candidates read per round of a cleanup or a scheduler run. */
  expiryBatchMax: 100,
  /** Rounds of one `POST /mandates/cleanup` (so at most 100 × 100 mandates per call). */
  cleanupRoundsMax: 100,
} as const;

export interface CreateMandateInput {
  senderId: string;
  beneficiaryId: string;
  total: Money;
  allowedCategoryId: string | null;
  allowedMerchantId: string | null;
  expiresAt: string;
}

export interface PurchaseInput {
  senderId: string;
  beneficiaryId: string;
  merchantId: string;
  amount: Money;
  /** What the client says the category is: only checked against the merchant's (B12). */
  categoryId: string | null;
}

export type PurchaseRecorded = Extract<
  MandateEvent,
  { type: 'mandate.purchase_recorded.v1' }
>['data'];

export interface PurchaseResult {
  purchase: PurchaseRecorded;
  position: Position | null;
  replayed: boolean;
}

const notFound = (code: string, message: string) => new DomainError(code, message, 'not_found');
const forbidden = (code: string, message: string) => new DomainError(code, message, 'forbidden');

/** 403 UNAUTHORIZED_USAGE unless the beneficiary's allowance covers the merchant (or its category). */
async function requireUsageAllowed(
  reader: PinnedReader,
  beneficiaryId: string,
  merchantId: string,
): Promise<null> {
  const [allowance, current] = await Promise.all([
    reader.read(`usage_allow-${beneficiaryId}`, usageAllowDecider),
    reader.read(`merchant-${merchantId}`, merchantDecider),
  ]);
  if (!isUsageAllowed(allowance, current)) {
    throw forbidden('UNAUTHORIZED_USAGE', 'the beneficiary may not use this merchant');
  }
  return null;
}

export class MandateServices {
  constructor(private readonly platform: Platform) {}

  async create(
    input: CreateMandateInput,
    metadata: CommandMetadata,
  ): Promise<CommandResult<MandateState> & { id: string }> {
    // A retry answers with the first mandate even if, since, it expired_at has passed.
    const first = await this.platform.commands.findDerived({ decider: mandateDecider, metadata });
    if (first) return first;
    await this.user(input.senderId, 'Sender');
    await this.user(input.beneficiaryId, 'Beneficiary');
    if (input.allowedMerchantId !== null) await this.merchant(input.allowedMerchantId);
    if (input.allowedCategoryId !== null) {
      const { state } = await this.platform.commands.read(
        `spend_category-${input.allowedCategoryId}`,
        spendCategoryDecider,
      );
      if (!state.exists) throw notFound('CATEGORY_NOT_FOUND', 'Category not found.');
    }
    const now = metadata.now.toISOString();
    const slot: SlotKey = {
      senderId: input.senderId,
      beneficiaryId: input.beneficiaryId,
      currency: input.total.currency,
    };
    return this.platform.commands.executeWithDerivedId({
      decider: mandateDecider,
      metadata,
      targetStream: (id) => `mandate-${id}`,
      command: (id): CreateMandate => ({
        type: 'CreateMandate',
        mandateId: id,
        senderId: input.senderId,
        beneficiaryId: input.beneficiaryId,
        totalAmount: input.total.toString(),
        currency: input.total.currency,
        scale: input.total.scale,
        allowedCategoryId: input.allowedCategoryId,
        allowedMerchantId: input.allowedMerchantId,
        expiresAt: input.expiresAt,
        now,
      }),
      extra: (events, _before, meta) =>
        takeSlot(this.platform, slot, (events[0]!.data as { mandateId: string }).mandateId, meta),
    });
  }

  /** The first answer of a purchase already made under this Idempotency-Key, or null. */
  async replayedPurchase(metadata: CommandMetadata): Promise<PurchaseResult | null> {
    const first = await this.platform.commands.findDerived({ decider: mandateDecider, metadata });
    return (
      first && { purchase: purchaseOf(first.events), position: first.position, replayed: true }
    );
  }

  /**
   * Records a purchase on the mandate the slot names: the merchant, the category and the
   * mandate's restrictions are checked first (`purchaseTarget`), the beneficiary's allowance is a
   * condition of the append itself.
   */
  async purchase(input: PurchaseInput, metadata: CommandMetadata): Promise<PurchaseResult> {
    const now = metadata.now.toISOString();
    const { merchant, mandateId } = await this.purchaseTarget(input, now);
    const result = await this.platform.commands.executeWithFacts({
      decider: mandateDecider,
      metadata,
      kind: 'RecordPurchase',
      targetStream: () => `mandate-${mandateId}`,
      // The beneficiary's allowance and the merchant (its category) are conditions of the append:
      // a change committed first makes the purchase read and decide again.
      facts: (reader) => requireUsageAllowed(reader, input.beneficiaryId, merchant.merchantId),
      command: (purchaseId) => ({
        type: 'RecordPurchase' as const,
        mandateId,
        purchaseId,
        merchantId: merchant.merchantId,
        categoryId: merchant.categoryId,
        amount: input.amount.toString(),
        currency: input.amount.currency,
        now,
      }),
      extra: (events, before, meta) =>
        events.some((e) => e.type === 'mandate.consumed.v1')
          ? releaseSlot(this.platform, before, meta)
          : Promise.resolve([]),
      queueOn: 'target',
    });
    return {
      purchase: purchaseOf(result.events),
      position: result.position,
      replayed: result.replayed,
    };
  }

  /** The merchant (its category as the client says) and the usable mandate the slot names. */
  private async purchaseTarget(
    input: PurchaseInput,
    now: string,
  ): Promise<{ merchant: MerchantState; mandateId: string }> {
    const merchant = await this.merchant(input.merchantId);
    const categoryId = merchant.categoryId;
    if (input.categoryId !== null && input.categoryId !== categoryId) {
      throw new DomainError(
        'CATEGORY_MISMATCH',
        "category_id is not the merchant's category",
        'invalid',
        { merchant_category_id: categoryId },
      );
    }
    const slot = await readSlot(this.platform, {
      senderId: input.senderId,
      beneficiaryId: input.beneficiaryId,
      currency: input.amount.currency,
    });
    if (!slot.holder) throw mandateRequired();
    const mandateId = slot.holder;
    const { state: mandate } = await this.platform.commands.read(
      `mandate-${mandateId}`,
      mandateDecider,
    );
    if (!mandateIsUsable(mandate, now)) throw mandateRequired();
    if (mandate.allowedMerchantId !== null && mandate.allowedMerchantId !== merchant.merchantId) {
      throw forbidden('MANDATE_MERCHANT_FORBIDDEN', 'this mandate does not allow this merchant');
    }
    if (mandate.allowedCategoryId !== null && mandate.allowedCategoryId !== categoryId) {
      throw forbidden(
        'MANDATE_CATEGORY_FORBIDDEN',
        "this mandate does not allow the merchant's category",
      );
    }
    return { merchant, mandateId };
  }

  /** Expires one mandate if it is ACTIVE and due (else appends nothing), releasing its slot. */
  async expire(
    mandateId: string,
    reason: MandateExpiryReason,
    metadata: CommandMetadata,
  ): Promise<CommandResult<MandateState>> {
    // Keys are per request: each mandate of a cleanup is its own command.
    const { idempotency: _none, ...meta } = metadata;
    return this.platform.commands.execute({
      streamId: `mandate-${mandateId}`,
      decider: mandateDecider,
      command: { type: 'ExpireMandate', mandateId, reason, now: metadata.now.toISOString() },
      metadata: meta,
      extra: (_events, before, m) => releaseSlot(this.platform, before, m),
    });
  }

  /** ACTIVE mandates whose expiry is at or before `now`, per the read model (a to-do list). */
  async dueMandates(
    now: Date,
    after: { expiresAt: Date; id: string } | null = null,
  ): Promise<{ id: string; expires_at: Date }[]> {
    let query = this.platform.db
      .selectFrom('mandates')
      .select(['id', 'expires_at'])
      .where('status', '=', 'ACTIVE')
      .where('expires_at', '<=', now);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('expires_at', '>', after.expiresAt),
          eb.and([eb('expires_at', '=', after.expiresAt), eb('id', '>', after.id)]),
        ]),
      );
    }
    return query.orderBy('expires_at').orderBy('id').limit(mandateLimits.expiryBatchMax).execute();
  }

  private async user(id: string, role: 'Sender' | 'Beneficiary'): Promise<void> {
    const { state } = await this.platform.commands.read(`user-${id}`, userDecider);
    if (!state.exists) throw notFound('USER_NOT_FOUND', `${role} user does not exist.`);
  }

  private async merchant(id: string): Promise<MerchantState> {
    const { state } = await this.platform.commands.read(`merchant-${id}`, merchantDecider);
    if (!state.exists) throw notFound('MERCHANT_NOT_FOUND', 'Merchant not found.');
    return state;
  }
}

function purchaseOf(events: AppendedEvent<MandateEvent>[]): PurchaseRecorded {
  const recorded = events.find((e) => e.type === 'mandate.purchase_recorded.v1');
  assert(recorded, 'a purchase command appended no mandate.purchase_recorded.v1');
  return recorded.data as PurchaseRecorded;
}
