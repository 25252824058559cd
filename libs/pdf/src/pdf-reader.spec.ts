/** The PDF reader: page count and text layer of a real PDF, refusal of garbage, the time limit. */
import { minimalPdf } from '../../../test/support/pdfs';
import { pdfLimits, readPdf } from './pdf-reader';

describe('readPdf', () => {
  it('reads the page count and the text layer', async () => {
    const reading = await readPdf(minimalPdf('INVOICE INV-7 Total 1234.50 EUR'), { timeoutMs: 20_000, text: true });
    expect(reading).toEqual({ ok: true, pageCount: 1, text: 'INVOICE INV-7 Total 1234.50 EUR' });
    expect(await readPdf(minimalPdf('x'), { timeoutMs: 20_000, text: false })).toEqual({ ok: true, pageCount: 1, text: null });
  });

  it('answers unreadable for what pdfjs cannot open, and timeout when it takes too long', async () => {
    expect(await readPdf(Buffer.from('%PDF-1.4 garbage'), { timeoutMs: 20_000, text: true })).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(await readPdf(minimalPdf('slow'), { timeoutMs: 1, text: true })).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('reads at most a few documents at once and answers busy beyond its queue', async () => {
    const { concurrentMax, waitingMax } = pdfLimits;
    const readings = await Promise.all(
      Array.from({ length: concurrentMax + waitingMax + 3 }, (_, i) => readPdf(minimalPdf(`doc ${i}`), { timeoutMs: 60_000, text: true })),
    );
    expect(readings.filter((r) => !r.ok && r.reason === 'busy')).toHaveLength(3);
    expect(readings.filter((r) => r.ok)).toHaveLength(concurrentMax + waitingMax);
  });
});
