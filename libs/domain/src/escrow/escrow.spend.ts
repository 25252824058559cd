/**
 * Usage spends (API-RULES.md §3, KOBATELA-SPEC §4.13): support or admin allow a payee on an
 * escrow, with optional limits; the client then spends to it out of what the escrow holds. A
 * spend is a payment of kind `spend` (initiated here, then sent by the PSP like any payment),
 * counted in the escrow's `spent`. The payee, its daily limit (UTC day), its total limit and the
 * held balance are decided together on the escrow stream, so parallel spends can never exceed
 * any of them (the old service locked a payee row but read the balance beside it).
 */
import { DomainError, type Money } from '@kob/kernel';
import type { AllowPayee, Spend } from './escrow.commands';
import type { EscrowEvent } from './escrow.events';
import { closed, initiation, insufficient, notFound } from './escrow.rules';
import { type EscrowState, type PayeeState, isTerminal, money, utcDay } from './escrow.state';
import * as v from './escrow.validate';

export const payeeLimits = {
  payeeRefLengthMin: 2,
  payeeRefLengthMax: 120,
  labelLengthMin: 2,
  labelLengthMax: 200,
  noteLengthMax: 500,
} as const;

// A payee ref names a ledger account (`payee:{E}:{ref}:payable:USD`): visible characters only.
const PAYEE_REF_RE = /^[\x21-\x7e]+$/;

export function payeeRef(value: string): string {
  const { payeeRefLengthMin: min, payeeRefLengthMax: max } = payeeLimits;
  if (
    typeof value !== 'string' ||
    value.length < min ||
    value.length > max ||
    !PAYEE_REF_RE.test(value)
  ) {
    throw v.invalid('payee_ref', `must be ${min}-${max} visible ASCII characters without spaces`);
  }
  return value;
}

function optionalLimit(state: EscrowState, value: string | null, field: string): string | null {
  if (value === null) return null;
  return v.positiveAmount(value, state.currency, state.scale, field).toString();
}

export function allowPayee(command: AllowPayee, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  if (isTerminal(state.status)) throw closed(state);
  const ref = payeeRef(command.payeeRef);
  const label = v.requiredText(command.label, 'label', payeeLimits.labelLengthMax);
  if (label.length < payeeLimits.labelLengthMin)
    throw v.invalid('label', `must be at least ${payeeLimits.labelLengthMin} characters`);
  const dailyLimit = optionalLimit(state, command.dailyLimit, 'daily_limit');
  const totalLimit = optionalLimit(state, command.totalLimit, 'total_limit');
  if (state.payees.some((p) => p.payeeRef === ref)) {
    throw new DomainError(
      'PAYEE_ALREADY_ALLOWED',
      'this payee is already allowed on this escrow',
      'conflict',
      { payee_ref: ref },
    );
  }
  return [
    {
      type: 'payee.allowed.v1',
      data: {
        escrowId: state.escrowId,
        payeeRef: ref,
        label,
        currency: state.currency,
        dailyLimit,
        totalLimit,
        allowedAt: command.now,
      },
    },
  ];
}

/** What was spent to this payee on the UTC day of `now`. */
export function spentOn(state: EscrowState, payee: PayeeState, now: string): string {
  return payee.spentByDay[utcDay(now)] ?? money(state, '0').toString();
}

/** A payee's two limits: how the refusal of each is coded and names the limit and the spent. */
const payeeLimitRefusals = {
  daily: {
    code: 'DAILY_LIMIT_REACHED',
    message: "the payee's daily limit would be exceeded",
    limitKey: 'daily_limit',
    spentKey: 'spent_today',
  },
  total: {
    code: 'TOTAL_LIMIT_REACHED',
    message: "the payee's total limit would be exceeded",
    limitKey: 'total_limit',
    spentKey: 'spent_total',
  },
} as const;

/** Refuses a spend that would take what is `spent` against a payee limit past it (none: null). */
function checkPayeeLimit(
  state: EscrowState,
  which: keyof typeof payeeLimitRefusals,
  limit: string | null,
  spent: Money,
  amount: Money,
): void {
  if (limit === null || !spent.plus(amount).gt(money(state, limit))) return;
  const refusal = payeeLimitRefusals[which];
  throw new DomainError(refusal.code, refusal.message, 'conflict', {
    [refusal.limitKey]: limit,
    [refusal.spentKey]: spent.toString(),
    amount: amount.toString(),
    currency: state.currency,
  });
}

export function spend(command: Spend, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  if (isTerminal(state.status)) throw closed(state);
  const amount = v.positiveAmount(command.amount, state.currency, state.scale, 'amount');
  const note = v.optionalText(command.note, 'note', payeeLimits.noteLengthMax);
  const payee = state.payees.find((p) => p.payeeRef === command.payeeRef);
  if (!payee) {
    throw new DomainError(
      'PAYEE_NOT_ALLOWED',
      'this payee is not allowed on this escrow',
      'forbidden',
      { payee_ref: command.payeeRef },
    );
  }
  const today = money(state, spentOn(state, payee, command.now));
  checkPayeeLimit(state, 'daily', payee.dailyLimit, today, amount);
  checkPayeeLimit(state, 'total', payee.totalLimit, money(state, payee.spentTotal), amount);
  if (amount.gt(money(state, state.held))) throw insufficient(state, amount.toString());
  return [
    initiation(state, {
      paymentId: command.paymentId,
      kind: 'spend',
      amount: amount.toString(),
      reason: 'usage_spend',
      beneficiaryId: payee.payeeRef,
      note,
      held: state.held,
      now: command.now,
    }),
  ];
}
