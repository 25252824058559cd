/**
 * The PDF reader: page count and text layer of a real PDF, refusal of garbage, the time limit; the
 * rendering of pages to PNG (first pages only, at the asked resolution, a huge page capped in
 * pixels), and the turns that reading and rendering share.
 */
import sharp from 'sharp';
import { imagePdf, scannedPdf } from '@test/invoice-images';
import { minimalPdf } from '@test/pdfs';
import { pdfLimits, pdfReaderStats, readPdf, renderPdfPages } from './pdf-reader';

/** Width and height from a PNG's header (IHDR), checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * A JPEG 2000 codestream (OpenJPEG 2.5, lossless) of a 32 × 32 grey image, its left half black
 * and its right half white: 193 bytes, kept here as no encoder for it is installed.
 */
const halfBlackJ2k = Buffer.from(
  '/0//UQApAAAAAAAgAAAAIAAAAAAAAAAAAAAAIAAAACAAAAAAAAAAAAABBwEB/1IADAAAAAEABQQEAAH/XAATQEBISFBISFBISFBISFBISFD/ZAAlAAFDcmVhdGVkIGJ5IE9wZW5KUEVHIHZlcnNpb24gMi41LjD/kAAKAAAAAABIAAH/k8+0CAbHz8AIAXfH2goACBWtDW/PwCAXLHOCYLBK28/AQCFuDRi+ekhK5wEPcLnaHD/H2goANfI/qr3/2Q==',
  'base64',
);

/** Polls a condition (bounded), for state that changes when a worker has stopped. */
async function eventually(check: () => boolean, attemptsMax = 100, intervalMs = 50): Promise<void> {
  for (let i = 0; i < attemptsMax && !check(); i++)
    await new Promise((r) => setTimeout(r, intervalMs));
  expect(check()).toBe(true);
}

describe('readPdf', () => {
  it('reads the page count and the text layer', async () => {
    const reading = await readPdf(minimalPdf('INVOICE INV-7 Total 1234.50 EUR'), {
      timeoutMs: 20_000,
      text: true,
    });
    expect(reading).toEqual({ ok: true, pageCount: 1, text: 'INVOICE INV-7 Total 1234.50 EUR' });
    expect(await readPdf(minimalPdf('x'), { timeoutMs: 20_000, text: false })).toEqual({
      ok: true,
      pageCount: 1,
      text: null,
    });
  });

  it('answers unreadable for what pdfjs cannot open, and timeout when it takes too long', async () => {
    expect(
      await readPdf(Buffer.from('%PDF-1.4 garbage'), { timeoutMs: 20_000, text: true }),
    ).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(await readPdf(minimalPdf('slow'), { timeoutMs: 1, text: true })).toMatchObject({
      ok: false,
      reason: 'timeout',
    });
    // The timed-out worker's turn comes back once it has stopped.
    await eventually(() => pdfReaderStats().running === 0);
  });

  it('reads at most a few documents at once and answers busy beyond its queue', async () => {
    await eventually(() => pdfReaderStats().running === 0); // earlier tests' workers have stopped
    const { concurrentMax, waitingMax } = pdfLimits;
    const readings = await Promise.all(
      Array.from({ length: concurrentMax + waitingMax + 3 }, (_, i) =>
        readPdf(minimalPdf(`doc ${i}`), { timeoutMs: 60_000, text: true }),
      ),
    );
    expect(readings.filter((r) => !r.ok && r.reason === 'busy')).toHaveLength(3);
    expect(readings.filter((r) => r.ok)).toHaveLength(concurrentMax + waitingMax);
    await eventually(() => pdfReaderStats().running === 0);
  });
});

describe('renderPdfPages', () => {
  it('renders a scanned page to a PNG at 300 dpi by default, or at the dpi asked', async () => {
    const pdf = await scannedPdf(); // one A4 page: 595 × 842 pt
    const rendering = await renderPdfPages(pdf, { timeoutMs: 20_000 });
    expect(rendering).toMatchObject({ ok: true, pageCount: 1, pages: [expect.any(Buffer)] });
    if (!rendering.ok) return;
    expect(pdfLimits.renderDpi).toBe(300);
    expect(pngSize(rendering.pages[0]!)).toEqual({
      width: Math.floor((595 * 300) / 72),
      height: Math.floor((842 * 300) / 72),
    });
    // A white page with dark text on it (the scan's invoice lines).
    const { channels } = await sharp(rendering.pages[0]!).stats();
    expect(channels[0]!.max).toBe(255);
    expect(channels[0]!.min).toBeLessThan(64);

    const low = await renderPdfPages(pdf, { timeoutMs: 20_000, dpi: 72 });
    expect(low.ok && pngSize(low.pages[0]!)).toEqual({ width: 595, height: 842 });
  });

  it('draws the text of a PDF with a text layer too (non-embedded Helvetica)', async () => {
    const rendering = await renderPdfPages(minimalPdf('INVOICE INV-7'), {
      timeoutMs: 20_000,
      dpi: 100,
    });
    expect(rendering.ok).toBe(true);
    if (!rendering.ok) return;
    expect(pngSize(rendering.pages[0]!)).toEqual({
      width: Math.floor((612 * 100) / 72),
      height: 1100,
    });
    const { channels } = await sharp(rendering.pages[0]!).stats();
    expect(channels[0]!.min).toBeLessThan(64); // Helvetica glyphs drawn, not a blank page
  });

  it('decodes JPEG 2000 scans with the installed wasm decoder', async () => {
    const pdf = imagePdf(
      [{ data: halfBlackJ2k, filter: 'JPXDecode', widthPx: 32, heightPx: 32 }],
      [72, 72],
    );
    const rendering = await renderPdfPages(pdf, { timeoutMs: 20_000, dpi: 72 });
    expect(rendering.ok).toBe(true);
    if (!rendering.ok) return;
    const { data, info } = await sharp(rendering.pages[0]!)
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 72, height: 72 });
    expect(data[36 * 72 + 10]).toBeLessThan(32); // left half: black
    expect(data[36 * 72 + 60]).toBeGreaterThan(223); // right half: white
  });

  it('renders only the first pages: renderPagesMax, or fewer when asked', async () => {
    const pdf = await scannedPdf([['one'], ['two'], ['three'], ['four'], ['five']], {
      pageSizePt: [200, 200],
      dpi: 72,
    });
    const rendering = await renderPdfPages(pdf, { timeoutMs: 20_000, dpi: 72 });
    expect(rendering).toMatchObject({ ok: true, pageCount: 5 });
    expect(rendering.ok && rendering.pages).toHaveLength(pdfLimits.renderPagesMax);
    const first = await renderPdfPages(pdf, { timeoutMs: 20_000, pagesMax: 1, dpi: 72 });
    expect(first.ok && first.pages.map(pngSize)).toEqual([{ width: 200, height: 200 }]);
  });

  it('caps the pixels of a huge page instead of allocating them', async () => {
    // 200 × 200 inches: 3.6 Gpx at 300 dpi. Drawn within pagePixelsMax, at a lower resolution.
    const square = await scannedPdf([['HUGE']], { pageSizePt: [14_400, 14_400], dpi: 5 });
    const started = Date.now();
    const rendering = await renderPdfPages(square, { timeoutMs: 30_000 });
    expect(rendering.ok).toBe(true);
    if (!rendering.ok) return;
    const { width, height } = pngSize(rendering.pages[0]!);
    expect(width * height).toBeLessThanOrEqual(pdfLimits.pagePixelsMax);
    expect(width * height).toBeGreaterThan(pdfLimits.pagePixelsMax * 0.99);
    expect(width).toBe(height);
    expect(Date.now() - started).toBeLessThan(15_000);

    // A long thin strip is capped on its long side.
    const strip = await scannedPdf([[]], { pageSizePt: [14_400, 36], dpi: 5 });
    const thin = await renderPdfPages(strip, { timeoutMs: 30_000 });
    expect(thin.ok && pngSize(thin.pages[0]!)).toEqual({
      width: pdfLimits.pageSidePxMax,
      height: 20,
    });
  });

  it('answers unreadable for garbage and timeout past its time; refuses options out of range', async () => {
    expect(
      await renderPdfPages(Buffer.from('%PDF-1.4 garbage'), { timeoutMs: 20_000 }),
    ).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(await renderPdfPages(await scannedPdf(), { timeoutMs: 1 })).toMatchObject({
      ok: false,
      reason: 'timeout',
      message: expect.stringMatching(/1 ms/),
    });
    await eventually(() => pdfReaderStats().running === 0);
    const pdf = minimalPdf('x');
    await expect(
      renderPdfPages(pdf, { timeoutMs: 1000, pagesMax: pdfLimits.renderPagesMax + 1 }),
    ).rejects.toThrow(RangeError);
    await expect(renderPdfPages(pdf, { timeoutMs: 1000, pagesMax: 0 })).rejects.toThrow(RangeError);
    await expect(
      renderPdfPages(pdf, { timeoutMs: 1000, dpi: pdfLimits.renderDpiMax + 1 }),
    ).rejects.toThrow(RangeError);
    await expect(renderPdfPages(pdf, { timeoutMs: 1000, dpi: 299.5 })).rejects.toThrow(RangeError);
  });

  it('shares the concurrentMax turns and the queue with readPdf', async () => {
    const { concurrentMax, waitingMax } = pdfLimits;
    const scan = await scannedPdf();
    await eventually(() => pdfReaderStats().running === 0); // earlier tests' workers have stopped
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, pdfReaderStats().running)), 5);
    try {
      const renders = Array.from({ length: concurrentMax }, () =>
        renderPdfPages(scan, { timeoutMs: 60_000 }),
      );
      const reads = Array.from({ length: waitingMax + 2 }, (_, i) =>
        readPdf(minimalPdf(`doc ${i}`), { timeoutMs: 60_000, text: true }),
      );
      expect(pdfReaderStats()).toEqual({ running: concurrentMax, waiting: waitingMax });
      const rendered = await Promise.all(renders);
      const read = await Promise.all(reads);
      expect(rendered.every((r) => r.ok)).toBe(true);
      expect(read.filter((r) => !r.ok && r.reason === 'busy')).toHaveLength(2);
      expect(read.filter((r) => r.ok)).toHaveLength(waitingMax);
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeLessThanOrEqual(concurrentMax);
    await eventually(() => pdfReaderStats().running === 0);
  });
});
