/**
 * `arrayLiteral` writes the array literal pg itself writes for a JS array of strings and nulls
 * (pg's `prepareValue`, what a `::text[]` parameter was sent as before), on any text.
 */
import fc from 'fast-check';
import { TRICKY_TEXT, propertyParams } from '@test/hostile-values';
import { arrayLiteral } from './array-literal';

// pg's own serialiser of parameters (not in its typings).
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

const element = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...TRICKY_TEXT, '"', '\\', '\\"', '{', '}', ',', 'NULL', '', ' '),
  fc.constant(null),
);

it('is the literal pg writes for the same array', () => {
  fc.assert(
    fc.property(fc.array(element, { maxLength: 40 }), (values) => {
      expect(arrayLiteral(values)).toBe(prepareValue(values));
    }),
    propertyParams(5_000),
  );
  expect(arrayLiteral([])).toBe('{}');
  expect(arrayLiteral(['a"b', 'c\\d', null, 'NULL'])).toBe('{"a\\"b","c\\\\d",NULL,"NULL"}');
});
