/**
 * Money, canonical JSON, name-based ids and the ids derived from a command's seed (`childId`): the
 * primitives every event and amount rests on.
 */
import { DomainError } from './errors';
import { childId, isUuid, uuidV5 } from './ids';
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
    expect(() => Money.parse('1.005', 'USD', scales)).toThrow(
      expect.objectContaining({ code: 'AMOUNT_PRECISION' }),
    );
    expect(() => Money.parse('1.5', 'JPY', scales)).toThrow(DomainError);
    expect(() => Money.parse('abc', 'USD', scales)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
    expect(() => Money.parse('1e3', 'USD', scales)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
    expect(() => Money.parse('1.00', 'GBP', scales)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
  });

  it('refuses amounts of more than 15 integer digits', () => {
    expect(Money.parse('999999999999999.99', 'USD', scales).toString()).toBe('999999999999999.99');
    expect(Money.parse('000000000000000001', 'JPY', scales).toString()).toBe('1');
    expect(() => Money.parse('1000000000000000', 'USD', scales)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
  });

  it('is exact where floating point is not', () => {
    const a = Money.parse('0.10', 'USD', scales).plus(Money.parse('0.20', 'USD', scales));
    expect(a.toString()).toBe('0.30');
    expect(Money.parse('10.00', 'USD', scales).dividedBy(3, RoundingMode.HalfEven).toString()).toBe(
      '3.33',
    );
    expect(Money.parse('0.05', 'USD', scales).dividedBy(2, RoundingMode.HalfEven).toString()).toBe(
      '0.02',
    );
    expect(Money.parse('0.05', 'USD', scales).dividedBy(2, RoundingMode.HalfUp).toString()).toBe(
      '0.03',
    );
  });

  it('refuses mixing currencies and bad currency tables', () => {
    expect(() => Money.parse('1', 'USD', scales).plus(Money.parse('1', 'EUR', scales))).toThrow(
      /currency mismatch/,
    );
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
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(uuidV5('a')).toBe(uuidV5('a'));
    expect(uuidV5('a')).not.toBe(uuidV5('b'));
    expect(isUuid(uuidV5('a'))).toBe(true);
  });
});

describe('childId', () => {
  const seed = '5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a00';

  it('gives the seed itself at index 0', () => {
    expect(childId(seed, 0)).toBe(seed);
  });

  it('derives distinct UUIDs that differ from the seed only in its last 32 bits', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => childId(seed, i));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id.slice(0, -8)).toBe(seed.slice(0, -8));
    }
    expect(childId(seed, 1)).toBe('5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0a01');
    expect(childId(seed, 0x100)).toBe('5b0e3a41-7c2d-4e8f-9a1b-2c3d4e5f0b00');
  });

  it('wraps the last 32 bits modulo 2^32, keeping eight hex digits', () => {
    const top = '5b0e3a41-7c2d-4e8f-9a1b-2c3dffffffff';
    expect(childId(top, 1)).toBe('5b0e3a41-7c2d-4e8f-9a1b-2c3d00000000');
    expect(childId(top, 2)).toBe('5b0e3a41-7c2d-4e8f-9a1b-2c3d00000001');
    expect(childId('5b0e3a41-7c2d-4e8f-9a1b-2c3d00000001', 0xffff_ffff)).toBe(
      '5b0e3a41-7c2d-4e8f-9a1b-2c3d00000000',
    );
    expect(isUuid(childId(top, 1))).toBe(true);
  });

  it('refuses an index that is negative, fractional or above 2^32 - 1', () => {
    for (const index of [-1, 1.5, 0x1_0000_0000, Number.NaN]) {
      expect(() => childId(seed, index)).toThrow('childId index out of range');
    }
  });

  it('derives ids in one case from an upper-case seed (isUuid accepts one)', () => {
    const upper = seed.toUpperCase();
    expect(isUuid(upper)).toBe(true);
    for (const index of [0, 1]) {
      const id = childId(upper, index);
      expect([id.toLowerCase(), id.toUpperCase()]).toContain(id);
    }
    expect(childId(upper, 0).toLowerCase()).toBe(seed);
  });
});
