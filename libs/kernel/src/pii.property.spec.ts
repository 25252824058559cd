/**
 * The shape tests' early answers (pii.ts) change no answer: on any text, and on text built from
 * the characters that matter (letters that upper-case to more than one, spaces, dashes, digits,
 * `@`, dots), `isIbanShaped` and `isEmailShaped` agree with their plain rules (`ibanRule` and
 * `emailRule`: the same tests without the early answers).
 */
import fc from 'fast-check';
import { propertyParams } from '@test/hostile-values';
import { emailRule, ibanRule, isEmailShaped, isIbanShaped } from './pii';

const PIECES = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  ...' -\t\u00a0@.',
  'ß',
  'ﬀ',
  'ı',
  'ŉ',
  '\u{1F642}',
  '\uD800',
  'é',
];
const shaped = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((cs) => cs.join(''));

/** Valid IBANs, spaced and dashed in any way, and with one character changed. */
const IBANS = ['GB82WEST12345698765432', 'FR1420041010050500013M02606', 'DE89370400440532013000'];
const nearIban = fc
  .tuple(fc.constantFrom(...IBANS), fc.nat(), fc.constantFrom('', ' ', '-', 'ß', '0', 'x'))
  .map(([iban, at, c]) => {
    const i = at % (iban.length + 1);
    return iban.slice(0, i) + c + iban.slice(i);
  });

it('isIbanShaped answers as its rule does', () => {
  for (const iban of IBANS) expect(isIbanShaped(iban)).toBe(true);
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), shaped, nearIban), (v) => {
      expect(isIbanShaped(v)).toBe(ibanRule(v));
    }),
    propertyParams(20_000),
  );
});

it('isEmailShaped answers as its rule does', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), shaped), (v) => {
      expect(isEmailShaped(v)).toBe(emailRule(v));
    }),
    propertyParams(20_000),
  );
});
