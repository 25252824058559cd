/**
 * Property of the PSP's decline reasons as stored (issue 12): whatever text the PSP answers (NUL,
 * controls, lone surrogates, astral characters across the 500-unit bound, 100 KB), the reason is
 * non-blank, at most 500 code units and storable (well-formed, no NUL), so a decline always
 * becomes an event and never a refused append that leaves money in limbo.
 */
import fc from 'fast-check';
import { illFormedStrings, propertyParams, text, unstorableText } from '@test/hostile-values';
import { declineReason, pspTextLimits } from './psp-outcomes';

describe('decline reasons under arbitrary PSP text', () => {
  it('are non-blank, bounded and storable', () => {
    const astralAtTheBound = `${'x'.repeat(pspTextLimits.reasonLengthMax - 1)}🙂`;
    expect(declineReason(astralAtTheBound)).toBe('x'.repeat(pspTextLimits.reasonLengthMax - 1));
    fc.assert(
      fc.property(
        fc.oneof(text({ lengthMax: 100_000 }), unstorableText({ lengthMax: 600 }), fc.anything()),
        (reason) => {
          const out = declineReason(reason);
          expect(out.trim().length).toBeGreaterThan(0);
          expect(out.length).toBeLessThanOrEqual(pspTextLimits.reasonLengthMax);
          expect(out).not.toContain('\u0000');
          expect(illFormedStrings(out)).toEqual([]);
        },
      ),
      propertyParams(500),
    );
  });
});
