/** Money, canonical JSON and name-based ids: the primitives every event and amount rests on. */
import { DomainError } from './errors';
import { isUuid, uuidV5 } from './ids';
import { canonicalJson } from './jcs';
import { Money, RoundingMode, parseCurrencies } from './money';

const scales = parseCurrencies('USD:2,EUR:2,JPY:0,KWD:3');

describe('Money', () => {
  it('parses decimal strings at the currency scale and prints the canonical string', () => {
    expect(Money.parse('10', 'USD', scales).toString()).toBe('10.00');
    expect(Money.parse('0.1', 'KWD', scales).toString()).toBe('0.100');
    expect(Money.parse('500', 'JPY', scales).toString()).toBe('500');
    expect(JSON.stringify({ a: Money.parse('1.5', 'EUR', scales) })).toBe('{"a":"1.50"}');
  });

  it('refuses more decimals than the currency allows instead of rounding', () => {
    expect(() => Money.parse('1.005', 'USD', scales)).toThrow(expect.objectContaining({ code: 'AMOUNT_PRECISION' }));
    expect(() => Money.parse('1.5', 'JPY', scales)).toThrow(DomainError);
    expect(() => Money.parse('abc', 'USD', scales)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => Money.parse('1e3', 'USD', scales)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => Money.parse('1.00', 'GBP', scales)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('is exact where floating point is not', () => {
    const a = Money.parse('0.10', 'USD', scales).plus(Money.parse('0.20', 'USD', scales));
    expect(a.toString()).toBe('0.30');
    expect(Money.parse('10.00', 'USD', scales).dividedBy(3, RoundingMode.HalfEven).toString()).toBe('3.33');
    expect(Money.parse('0.05', 'USD', scales).dividedBy(2, RoundingMode.HalfEven).toString()).toBe('0.02');
    expect(Money.parse('0.05', 'USD', scales).dividedBy(2, RoundingMode.HalfUp).toString()).toBe('0.03');
  });

  it('refuses mixing currencies and bad currency tables', () => {
    expect(() => Money.parse('1', 'USD', scales).plus(Money.parse('1', 'EUR', scales))).toThrow(/currency mismatch/);
    expect(() => parseCurrencies('USD')).toThrow();
    expect(() => parseCurrencies('')).toThrow();
  });
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys, drops undefined and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined, x: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"x":2,"z":1}}',
    );
  });

  it('serialises numbers and strings as ECMAScript does', () => {
    expect(canonicalJson([1e21, 0.1, -0, 'é\u2028'])).toBe('[1e+21,0.1,0,"é\u2028"]');
    expect(() => canonicalJson(Number.NaN)).toThrow();
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector and is deterministic', () => {
    // RFC 9562 appendix A.4: name "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('a')).toBe(uuidV5('a'));
    expect(uuidV5('a')).not.toBe(uuidV5('b'));
    expect(isUuid(uuidV5('a'))).toBe(true);
  });
});
