/**
 * `addDecimal`, the exact sum behind the read models' additive columns (a balance a batch adds
 * to): on any two decimal strings, the sum big.js gives, at the larger of their scales.
 */
import Big from 'big.js';
import fc from 'fast-check';
import { decimalText, propertyParams } from '@test/hostile-values';
import { addDecimal } from './row-batch';

const amount = decimalText({ integerDigitsMax: 18, decimalsMax: 8, signed: true });
const scaleOf = (x: string) => (x.includes('.') ? x.length - x.indexOf('.') - 1 : 0);

it('addDecimal is the exact sum, at the larger scale', () => {
  fc.assert(
    fc.property(amount, amount, (a, b) => {
      const scale = Math.max(scaleOf(a), scaleOf(b));
      expect(addDecimal(a, b)).toBe(new Big(a).plus(b).toFixed(scale));
    }),
    propertyParams(10_000),
  );
  expect(addDecimal('10.5', '0.25')).toBe('10.75');
  expect(addDecimal('-0.10', '0.05')).toBe('-0.05');
  expect(addDecimal('7', '-7')).toBe('0');
});
