import Big from 'big.js';
import { assert } from './assert';
import { DomainError } from './errors';

/**
 * Money as a value type over big.js (STYLE.md §5): a decimal string at the currency's scale in
 * JSON and events, exact in arithmetic, never a JS number. Input with more decimals than the
 * currency allows is an error, never silently rounded; any division names its rounding mode.
 */
export type CurrencyScales = ReadonlyMap<string, number>;

const AMOUNT_RE = /^-?\d{1,18}(\.\d{1,18})?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;
export const currencyScaleMax = 8;
/**
 * Input amounts stay below 10^15 currency units: totals of many of them (the PSP's cash account)
 * then stay far inside exact decimal arithmetic everywhere they are summed.
 */
export const amountIntegerDigitsMax = 15;

export function parseCurrencies(spec: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Z]{3}):(\d)$/.exec(part);
    if (!m) throw new Error(`bad currency entry "${part}" (expected CODE:SCALE such as USD:2)`);
    const scale = Number(m[2]);
    if (scale > currencyScaleMax) throw new Error(`scale of ${m[1]} above ${currencyScaleMax}`);
    out.set(m[1]!, scale);
  }
  if (out.size === 0) throw new Error('no currency configured');
  return out;
}

/**
 * A stored amount (the decimal string `Money` prints, trailing zeros past the scale allowed) as
 * a whole number of the currency's smallest unit: cents for a scale of 2. For invariant checks
 * that compare and add many stored amounts at once without building a decimal for each; what
 * `Money.of` refuses (more decimals than the scale) it refuses too, and it takes no exponent.
 */
export function minorUnits(amount: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  assert(m !== null, `bad stored amount ${amount}`);
  let decimals = m[3] ?? '';
  if (decimals.length > scale) {
    assert(/^0*$/.test(decimals.slice(scale)), `${amount} exceeds scale ${scale}`);
    decimals = decimals.slice(0, scale);
  }
  const units = BigInt(m[2]! + decimals.padEnd(scale, '0'));
  return m[1] ? -units : units;
}

export enum RoundingMode {
  Down = 0,
  HalfUp = 1,
  HalfEven = 2,
  Up = 3,
}

export class Money {
  private constructor(
    readonly amount: Big,
    readonly currency: string,
    readonly scale: number,
  ) {}

  /** Parses client input: a decimal string (or a number for legacy clients) at the scale. */
  static parse(input: unknown, currency: string, scales: CurrencyScales, field = 'amount'): Money {
    const scale = scales.get(currency);
    if (scale === undefined) {
      throw new DomainError('VALIDATION_ERROR', `unsupported currency ${currency}`, 'invalid', {
        fields: { currency: [`must be one of ${[...scales.keys()].join(', ')}`] },
      });
    }
    const text = typeof input === 'number' && Number.isFinite(input) ? String(input) : input;
    if (typeof text !== 'string' || !AMOUNT_RE.test(text)) {
      throw new DomainError('VALIDATION_ERROR', `${field} must be a decimal string`, 'invalid', {
        fields: { [field]: ['must be a decimal string such as "10.50"'] },
      });
    }
    const integerDigits = text
      .replace(/^-/, '')
      .split('.')[0]!
      .replace(/^0+(?=\d)/, '').length;
    if (integerDigits > amountIntegerDigitsMax) {
      throw new DomainError('VALIDATION_ERROR', `${field} is too large`, 'invalid', {
        fields: {
          [field]: [`must have at most ${amountIntegerDigitsMax} digits before the decimal point`],
        },
      });
    }
    const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
    if (decimals > scale) {
      throw new DomainError(
        'AMOUNT_PRECISION',
        `${field} has ${decimals} decimals; ${currency} allows ${scale}`,
        'invalid',
        { field, currency, scale },
      );
    }
    return new Money(new Big(text), currency, scale);
  }

  /** Rebuilds a stored amount (events, read models): trusted, but still checked. */
  static of(amount: string, currency: string, scale: number): Money {
    assert(CURRENCY_RE.test(currency), `bad currency ${currency}`);
    const big = new Big(amount);
    // Digits after the point: big.js keeps its coefficient (`c`) without trailing zeros, so this
    // is `round(scale).eq(big)` without building a second number for every stored amount read.
    assert(big.c.length - 1 - big.e <= scale, `${amount} exceeds scale ${scale}`);
    return new Money(big, currency, scale);
  }

  static zero(currency: string, scale: number): Money {
    return new Money(new Big(0), currency, scale);
  }

  isPositive(): boolean {
    return this.amount.gt(0);
  }

  isNegative(): boolean {
    return this.amount.lt(0);
  }

  plus(other: Money): Money {
    this.sameCurrency(other);
    return new Money(this.amount.plus(other.amount), this.currency, this.scale);
  }

  minus(other: Money): Money {
    this.sameCurrency(other);
    return new Money(this.amount.minus(other.amount), this.currency, this.scale);
  }

  /** Division always names its rounding mode (STYLE.md §5). */
  dividedBy(divisor: number, mode: RoundingMode): Money {
    assert(Number.isInteger(divisor) && divisor > 0, 'divisor must be a positive integer');
    return new Money(this.amount.div(divisor).round(this.scale, mode), this.currency, this.scale);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.sameCurrency(other);
    return this.amount.cmp(other.amount) as -1 | 0 | 1;
  }

  gt(other: Money): boolean {
    return this.compare(other) > 0;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.eq(other.amount);
  }

  /** The canonical string at the currency's scale: "100.00", "5", "1.250". */
  toString(): string {
    return this.amount.toFixed(this.scale);
  }

  toJSON(): string {
    return this.toString();
  }

  private sameCurrency(other: Money): void {
    assert(
      other.currency === this.currency,
      `currency mismatch ${this.currency}/${other.currency}`,
    );
  }
}
