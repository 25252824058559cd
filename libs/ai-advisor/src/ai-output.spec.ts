/**
 * The advisor's output contract: exactly one JSON object (alone or alone in a ```json fence) with
 * exactly risk_level, score, flags and explanation; the score kept as a 3-place decimal string.
 */
import { parseReply, scoreText } from './ai-output';

const ok = {
  risk_level: 'suspect',
  score: 0.1,
  flags: ['edited_image'],
  explanation: 'The image shows signs of editing.',
};

describe('parseReply', () => {
  it('reads a bare object and a fenced one', () => {
    const expected = {
      ok: true,
      verdict: {
        risk_level: 'suspect',
        score: '0.100',
        flags: ['edited_image'],
        explanation: 'The image shows signs of editing.',
      },
    };
    expect(parseReply(JSON.stringify(ok))).toEqual(expected);
    expect(parseReply(`  \n${JSON.stringify(ok, null, 2)}\n`)).toEqual(expected);
    expect(parseReply('```json\n' + JSON.stringify(ok) + '\n```')).toEqual(expected);
    expect(parseReply('```\n' + JSON.stringify(ok) + '\n```')).toEqual(expected);
  });

  it('trims the explanation and drops repeated flags', () => {
    const parsed = parseReply(
      JSON.stringify({ ...ok, flags: ['a_b', 'a_b'], explanation: '  Fine.  ' }),
    );
    expect(parsed).toEqual({
      ok: true,
      verdict: { ...ok, score: '0.100', flags: ['a_b'], explanation: 'Fine.' },
    });
  });

  it.each([
    ['two fences', '```json\n{}\n```\n```json\n{}\n```'],
    ['text after the fence', '```json\n' + JSON.stringify(ok) + '\n```\nHope this helps'],
    ['a null', 'null'],
    ['a negative score', JSON.stringify({ ...ok, score: -0.01 })],
    ['a NaN-like score', JSON.stringify({ ...ok, score: null })],
    ['a boolean flag', JSON.stringify({ ...ok, flags: [true] })],
    ['a flag too long', JSON.stringify({ ...ok, flags: ['a'.repeat(65)] })],
    ['a missing key', JSON.stringify({ risk_level: 'clean', score: 1, flags: [] })],
    ['an explanation that is not a string', JSON.stringify({ ...ok, explanation: ['x'] })],
    ['a reply over the length limit', JSON.stringify({ ...ok, explanation: 'x'.repeat(9_000) })],
  ])('refuses %s', (_what, text) => {
    expect(parseReply(text).ok).toBe(false);
  });
});

describe('scoreText', () => {
  it('rounds half-up to 3 places from the number as written, never through float noise', () => {
    expect(scoreText(0.82)).toBe('0.820');
    expect(scoreText(0.8205)).toBe('0.821');
    expect(scoreText(0.1 + 0.2)).toBe('0.300');
    expect(scoreText(1)).toBe('1.000');
    expect(scoreText(0)).toBe('0.000');
  });
});
