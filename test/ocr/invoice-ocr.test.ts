/**
 * Invoice OCR end to end on real documents made by the test: PNG and JPEG invoices rendered from
 * SVG text (French in EUR, English in USD) read by tesseract.js, PDFs read through their text
 * layer, scanned PDFs (pages that are only JPEG images of such text) rendered and OCR'd, and the
 * answers for what cannot be read: garbage, an image too large, an unknown type, a blank scan,
 * OCR switched off, and the time limit, which stops the engine (and the PDF workers) without
 * stopping the next document.
 */
import sharp from 'sharp';
import { InvoiceOcr } from '@kob/ocr';
import { TesseractEngine } from '@kob/ocr';
import { pdfLimits, pdfReaderStats } from '@kob/pdf';
import {
  englishInvoiceLines,
  frenchInvoiceLines,
  renderInvoiceImage,
  scannedPdf,
  textPdf,
} from '../support/invoice-images';
import { minimalPdf } from '../support/pdfs';

const frenchFields = {
  total_amount: '1234.50',
  currency: 'EUR',
  invoice_date: '2026-11-27',
  invoice_number: 'F-2026-042',
  iban_last4: '0189',
  supplier_name: 'ACME SARL',
};
const englishFields = {
  total_amount: '2468.00',
  currency: 'USD',
  invoice_date: '2026-11-27',
  invoice_number: 'INV-2026-001',
  iban_last4: '5432',
  supplier_name: 'Globex Corporation',
};

/** Polls a condition (bounded), for state that changes on a timer. */
async function eventually(check: () => boolean, attemptsMax = 100, intervalMs = 50): Promise<void> {
  for (let i = 0; i < attemptsMax && !check(); i++)
    await new Promise((r) => setTimeout(r, intervalMs));
  expect(check()).toBe(true);
}

describe('InvoiceOcr', () => {
  let ocr: InvoiceOcr;
  let frenchPng: Buffer;
  let englishPng: Buffer;

  beforeAll(async () => {
    ocr = new InvoiceOcr({ enabled: true, timeoutMs: 30_000 });
    frenchPng = await renderInvoiceImage(frenchInvoiceLines);
    englishPng = await renderInvoiceImage(englishInvoiceLines);
  });

  afterAll(async () => {
    await ocr.close();
  });

  it('reads a French invoice image: total, currency, number, date, IBAN last 4, supplier', async () => {
    const result = await ocr.read(frenchPng, 'image/png');
    expect(result).toEqual({
      status: 'ok',
      engine: 'tesseract',
      fields: frenchFields,
      text_length: expect.any(Number),
      reason: null,
    });
    expect(result.text_length).toBeGreaterThan(80);
    // Neither the text nor the full IBAN is in the result.
    expect(JSON.stringify(result)).not.toMatch(/FR76|3000 6000|Facture/);
  });

  it('reads an English invoice in USD, as PNG and as JPEG, with the engine started once', async () => {
    expect((await ocr.read(englishPng, 'image/png')).fields).toEqual(englishFields);
    const jpeg = await renderInvoiceImage(englishInvoiceLines, { format: 'jpeg' });
    expect(await ocr.read(jpeg, 'image/jpeg')).toMatchObject({
      status: 'ok',
      fields: englishFields,
    });
    expect(ocr.stats().engine.started).toBe(1);
  });

  it('reads PDFs through their text layer, without OCR', async () => {
    expect(await ocr.read(textPdf(frenchInvoiceLines), 'application/pdf')).toEqual({
      status: 'ok',
      engine: 'pdf-text',
      fields: frenchFields,
      text_length: expect.any(Number),
      reason: null,
    });
    const minimal = await ocr.read(
      minimalPdf('Invoice INV-7 Total 1,234.50 EUR'),
      'application/pdf',
    );
    expect(minimal).toMatchObject({
      status: 'ok',
      engine: 'pdf-text',
      fields: { total_amount: '1234.50', currency: 'EUR', invoice_number: 'INV-7' },
    });
  });

  it('renders and OCRs a scanned PDF (no text layer): engine pdf-scan, the same fields as the image', async () => {
    const french = await ocr.read(await scannedPdf(), 'application/pdf');
    expect(french).toEqual({
      status: 'ok',
      engine: 'pdf-scan',
      fields: frenchFields,
      text_length: expect.any(Number),
      reason: null,
    });
    expect(JSON.stringify(french)).not.toMatch(/FR76|3000 6000|Facture/);
    expect(
      await ocr.read(await scannedPdf([englishInvoiceLines]), 'application/pdf'),
    ).toMatchObject({ status: 'ok', engine: 'pdf-scan', fields: englishFields });
    // The same engine as images: started once for the whole suite.
    expect(ocr.stats().engine.started).toBe(1);
  });

  it('reads the first pages of a scan as one text, and no page past renderPagesMax', async () => {
    const [header, body] = [englishInvoiceLines.slice(0, 4), englishInvoiceLines.slice(4)];
    const twoPages = await ocr.read(await scannedPdf([header, body]), 'application/pdf');
    expect(twoPages).toMatchObject({ status: 'ok', engine: 'pdf-scan', fields: englishFields });
    // The total on page 4 is past the pages read.
    const blanks = Array.from({ length: pdfLimits.renderPagesMax - 1 }, () => [] as string[]);
    const late = await ocr.read(await scannedPdf([header, ...blanks, body]), 'application/pdf');
    expect(late).toMatchObject({
      status: 'ok',
      engine: 'pdf-scan',
      fields: { invoice_number: 'INV-2026-001', total_amount: null, currency: null },
    });
  });

  it('answers no_text for a blank scan, and for a PDF whose only text is blank', async () => {
    expect(await ocr.read(await scannedPdf([[]]), 'application/pdf')).toMatchObject({
      status: 'no_text',
      engine: 'pdf-scan',
      fields: { total_amount: null },
      reason: expect.stringMatching(/no text was found in the scanned PDF/),
    });
    expect(await ocr.read(minimalPdf(''), 'application/pdf')).toMatchObject({
      status: 'no_text',
      engine: 'pdf-scan',
    });
  });

  it('answers error, never throws, for garbage, empty and oversized documents', async () => {
    const garbage = Buffer.from('this is not a document at all');
    expect(await ocr.read(garbage, 'image/png')).toMatchObject({
      status: 'error',
      engine: 'tesseract',
      reason: expect.stringMatching(/could not be decoded/),
    });
    expect(await ocr.read(garbage, 'image/jpeg')).toMatchObject({ status: 'error' });
    expect(await ocr.read(garbage, 'application/pdf')).toMatchObject({
      status: 'error',
      engine: 'pdf-text',
      reason: expect.stringMatching(/PDF could not be read/),
    });
    expect(await ocr.read(Buffer.alloc(0), 'image/png')).toMatchObject({
      status: 'error',
      reason: 'the document is empty',
    });
    expect(await ocr.read(frenchPng.subarray(0, 200), 'image/png')).toMatchObject({
      status: 'error',
    });
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .gif()
      .toBuffer();
    expect(await ocr.read(gif, 'image/png')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/not a PNG or JPEG/),
    });
    const huge = await sharp({
      create: { width: 8000, height: 8000, channels: 3, background: '#fff' },
    })
      .png()
      .toBuffer();
    expect(await ocr.read(huge, 'image/png')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/pixel/i),
    });
    expect(await ocr.read(null as unknown as Buffer, 'image/png')).toMatchObject({
      status: 'error',
    });
  });

  it('answers no_text for a blank page, and unsupported for a type it does not read', async () => {
    // With a resolution: without one, tesseract warns on stderr that it cannot estimate it.
    const page = sharp({ create: { width: 800, height: 600, channels: 3, background: '#fff' } });
    const blank = await page.withDensity(300).png().toBuffer();
    expect(await ocr.read(blank, 'image/png')).toMatchObject({
      status: 'no_text',
      engine: 'tesseract',
      fields: { total_amount: null },
    });
    expect(await ocr.read(frenchPng, 'text/plain' as 'image/png')).toMatchObject({
      status: 'unsupported',
      engine: null,
    });
  });

  it('answers disabled without looking at the bytes', async () => {
    const off = new InvoiceOcr({ enabled: false, timeoutMs: 1000 });
    const untouchable = new Proxy(Buffer.alloc(4), {
      get() {
        throw new Error('the bytes were read');
      },
    });
    expect(await off.read(untouchable, 'image/png')).toEqual({
      status: 'disabled',
      engine: null,
      fields: {
        total_amount: null,
        currency: null,
        invoice_date: null,
        invoice_number: null,
        iban_last4: null,
        supplier_name: null,
      },
      text_length: 0,
      reason: null,
    });
    expect(off.stats().calls.disabled).toBe(1);
    expect(off.stats().engine.started).toBe(0);
  });

  it('answers timeout past the time limit, and the next document is read', async () => {
    expect(await ocr.read(frenchPng, 'image/png', { timeoutMs: 1 })).toMatchObject({
      status: 'timeout',
      engine: 'tesseract',
      reason: expect.stringMatching(/time limit/),
    });
    expect(
      await ocr.read(textPdf(frenchInvoiceLines), 'application/pdf', { timeoutMs: 1 }),
    ).toMatchObject({ status: 'timeout', engine: 'pdf-text' });
    expect(await ocr.read(frenchPng, 'image/png')).toMatchObject({
      status: 'ok',
      fields: frenchFields,
    });
    expect(ocr.stats().calls.timeout).toBe(2);
  });

  it('stops a scan past the time limit, rendering and OCR included, and reads the next document', async () => {
    const scan = await scannedPdf([frenchInvoiceLines, englishInvoiceLines, frenchInvoiceLines]);
    const before = ocr.stats().calls.timeout;
    expect(await ocr.read(scan, 'application/pdf', { timeoutMs: 1 })).toMatchObject({
      status: 'timeout',
    });
    // Past the text layer (≈0.2 s), within the rendering and OCR of three pages (≈3 s): whichever
    // of the two the deadline falls in, the answer comes at the deadline and the work is stopped.
    const started = Date.now();
    const late = await ocr.read(scan, 'application/pdf', { timeoutMs: 1500 });
    expect(late).toMatchObject({
      status: 'timeout',
      engine: 'pdf-scan',
      fields: { total_amount: null },
      reason: expect.stringMatching(/time limit/),
    });
    expect(Date.now() - started).toBeLessThan(1500 + 1000);
    expect(ocr.stats().calls.timeout).toBe(before + 2);
    // No PDF worker is left running: each gives its turn back once it has stopped.
    await eventually(() => pdfReaderStats().running === 0);
    expect(await ocr.read(await scannedPdf(), 'application/pdf')).toMatchObject({
      status: 'ok',
      engine: 'pdf-scan',
      fields: frenchFields,
    });
  });
});

describe('TesseractEngine', () => {
  let png: Buffer;

  beforeAll(async () => {
    png = await sharp(await renderInvoiceImage(frenchInvoiceLines))
      .grayscale()
      .png()
      .toBuffer();
  });

  it('terminates the engine of a document that runs out of time, and starts a new one for the next', async () => {
    const engine = new TesseractEngine(['eng', 'fra'], 60_000);
    try {
      expect(await engine.recognize(png, Date.now() + 30_000)).toMatchObject({
        ok: true,
        text: expect.stringContaining('ACME SARL'),
      });
      expect(await engine.recognize(png, Date.now() + 20)).toEqual({
        ok: false,
        reason: 'timeout',
        message: expect.any(String),
      });
      expect(engine.stats()).toEqual({
        started: 1,
        stopped: { timeout: 1, idle: 0, failure: 0, close: 0 },
      });
      expect(await engine.recognize(png, Date.now() + 30_000)).toMatchObject({ ok: true });
      expect(engine.stats().started).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('lets a waiting document time out without stopping the one being read', async () => {
    const engine = new TesseractEngine(['eng'], 60_000);
    try {
      const first = engine.recognize(png, Date.now() + 30_000);
      const second = engine.recognize(png, Date.now() + 20);
      expect(await second).toMatchObject({ ok: false, reason: 'timeout' });
      expect(await first).toMatchObject({ ok: true });
      expect(engine.stats()).toMatchObject({ started: 1, stopped: { timeout: 0 } });
    } finally {
      await engine.close();
    }
  });

  it('stops an idle engine, and answers error for documents still waiting when it is closed', async () => {
    const engine = new TesseractEngine(['eng'], 100);
    expect(await engine.recognize(png, Date.now() + 30_000)).toMatchObject({ ok: true });
    await eventually(() => engine.stats().stopped.idle === 1);
    const pending = [
      engine.recognize(png, Date.now() + 30_000),
      engine.recognize(png, Date.now() + 30_000),
    ];
    await engine.close();
    expect(await Promise.all(pending)).toEqual([
      { ok: false, reason: 'error', message: 'OCR engine closed' },
      { ok: false, reason: 'error', message: 'OCR engine closed' },
    ]);
  });
});
