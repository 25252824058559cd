/**
 * `minorUnits` reads a stored amount as `Money.of` does: for any plain decimal string (the form
 * `Money` prints: no exponent, digits on both sides of a point) and scale, the
 * same number of the smallest unit, and a refusal exactly where `Money.of` refuses (more
 * significant decimals than the scale).
 */
import Big from 'big.js';
import fc from 'fast-check';
import { decimalText, propertyParams } from '@test/hostile-values';
import { Money, minorUnits } from './money';

const amount = decimalText({ integerDigitsMax: 18, decimalsMax: 10, signed: true });

function outcome(f: () => bigint): { units?: bigint; refused?: true } {
  try {
    return { units: f() };
  } catch {
    return { refused: true };
  }
}

it('minorUnits agrees with Money.of on every decimal string', () => {
  fc.assert(
    fc.property(amount, fc.integer({ min: 0, max: 8 }), (text, scale) => {
      expect(outcome(() => minorUnits(text, scale))).toEqual(
        outcome(() => {
          const money = Money.of(text, 'USD', scale);
          return BigInt(money.amount.times(new Big(10).pow(scale)).toFixed(0));
        }),
      );
    }),
    propertyParams(10_000),
  );
});

it('minorUnits on the amounts the ledger stores', () => {
  expect(minorUnits('10.50', 2)).toBe(1050n);
  expect(minorUnits('10.5', 2)).toBe(1050n);
  expect(minorUnits('-0.01', 2)).toBe(-1n);
  expect(minorUnits('7', 0)).toBe(7n);
  expect(minorUnits('1.2300', 2)).toBe(123n);
  expect(() => minorUnits('1.234', 2)).toThrow('exceeds scale');
  expect(() => minorUnits('1e3', 2)).toThrow('bad stored amount');
  expect(() => minorUnits('', 2)).toThrow('bad stored amount');
});

it('Money.of refuses exactly the amounts that rounding to the scale would change', () => {
  // Big.js's own notations too (exponents, a bare point), which Money.of reads as Big does.
  const exponent = fc
    .tuple(amount, fc.integer({ min: -12, max: 12 }))
    .map(([text, e]) => `${text}e${e}`);
  fc.assert(
    fc.property(fc.oneof(amount, exponent), fc.integer({ min: 0, max: 8 }), (text, scale) => {
      const big = new Big(text);
      const fits = big.round(scale, Big.roundDown).eq(big);
      expect(outcome(() => (Money.of(text, 'USD', scale), 0n))).toEqual(
        fits ? { units: 0n } : { refused: true },
      );
    }),
    propertyParams(10_000),
  );
});
