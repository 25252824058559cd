/**
 * Reads an amount a client (or OCR) put in proof metadata or milestone requirements: a decimal
 * string, or a JSON number from legacy clients. Never a float in the result: the value becomes a
 * big.js decimal at once, and anything that is not plainly a decimal is refused (null), never
 * guessed. Mirrors Python's `Decimal(str(value))` closely enough for the reference's behaviour,
 * without its `NaN`/`Infinity`/exponent forms.
 */
import Big from 'big.js';
import { amountIntegerDigitsMax } from '@kob/kernel';

const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** Longest string read as an amount (a hostile 1 MB "number" is refused, not parsed). */
export const decimalInputLengthMax = 64;

/** A decimal read from input, with the number of decimals it was written with ("30.50" → 2). */
export interface DecimalInput {
  value: Big;
  places: number;
}

export function parseDecimalInput(value: unknown): DecimalInput | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // String(1e21) is "1e+21": big.js reads exponent forms of numbers, never of client strings.
    text = new Big(value).toFixed();
  } else if (typeof value === 'string') {
    text = value.trim();
    if (text.length > decimalInputLengthMax || !DECIMAL_RE.test(text)) return null;
  } else {
    return null;
  }
  const big = new Big(text);
  const integerDigits = big.abs().round(0, Big.roundDown).toFixed().replace(/^0$/, '').length;
  if (integerDigits > amountIntegerDigitsMax) return null;
  const dot = text.indexOf('.');
  return { value: big, places: dot < 0 ? 0 : text.length - dot - 1 };
}
