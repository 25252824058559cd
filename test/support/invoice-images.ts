/**
 * Invoice images and PDFs for OCR tests, made at test time so no binary fixture is kept: a white
 * page with black text lines, drawn from SVG by sharp (librsvg with the installed DejaVu fonts),
 * at the size of a page scanned at about 200 dpi; a PDF with a text layer of several lines; and a
 * scanned PDF, whose pages are only JPEG images of such text (no text layer).
 */
import sharp from 'sharp';

export const frenchInvoiceLines = [
  'ACME SARL',
  'Facture n° F-2026-042',
  'Date : 27/11/2026',
  'IBAN FR76 3000 6000 0112 3456 7890 189',
  'Total TTC : 1 234,50 EUR',
] as const;

export const englishInvoiceLines = [
  'Globex Corporation',
  'Invoice No. INV-2026-001',
  'Date: Nov 27, 2026',
  'IBAN GB82 WEST 1234 5698 7654 32',
  'Subtotal: $2,000.00',
  'Amount due: $2,468.00',
] as const;

export interface InvoiceImageOptions {
  format?: 'png' | 'jpeg';
  fontSizePx?: number;
  widthPx?: number;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A page with one text line per entry, large and high-contrast so tesseract reads it reliably. */
export async function renderInvoiceImage(
  lines: readonly string[],
  options: InvoiceImageOptions = {},
): Promise<Buffer> {
  const fontSize = options.fontSizePx ?? 44;
  const width = options.widthPx ?? 1654;
  const lineHeight = Math.round(fontSize * 1.9);
  const margin = fontSize * 3;
  const height = margin * 2 + lineHeight * lines.length;
  const texts = lines
    .map(
      (line, i) =>
        `<text x="${margin}" y="${margin + lineHeight * (i + 0.7)}">${escapeXml(line)}</text>`,
    )
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<g font-family="DejaVu Sans" font-size="${fontSize}" fill="#000000">${texts}</g></svg>`;
  const page = sharp(Buffer.from(svg), { density: 72 }).flatten({ background: '#ffffff' });
  return options.format === 'jpeg' ? page.jpeg({ quality: 90 }).toBuffer() : page.png().toBuffer();
}

/** A PDF file from its objects (1-based, in order), with its cross-reference table. */
function pdfFile(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(length);
    const body = Buffer.isBuffer(o) ? o : Buffer.from(o, 'latin1');
    const part = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    parts.push(part);
    length += part.length;
  });
  const entries = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}${trailer}`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}

function page(content: string, resources: string): string[] {
  return [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources ${resources} >>`,
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
}

/**
 * A one-page PDF with a text layer of several lines (Helvetica, WinAnsi so `°` and `é` survive),
 * unlike `pdfs.ts`'s `minimalPdf`, which holds one line.
 */
export function textPdf(lines: readonly string[]): Buffer {
  const escape = (line: string) => line.replace(/[\\()]/g, (c) => `\\${c}`);
  const shows = lines
    .map((line, i) => `${i === 0 ? '' : '0 -20 Td '}(${escape(line)}) Tj`)
    .join(' ');
  const content = `BT /F1 14 Tf 72 720 Td ${shows} ET`;
  return pdfFile([
    ...page(content, '<< /Font << /F1 5 0 R >> >>'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ]);
}

/** An image stream for `imagePdf`: its encoded bytes, filter and size in pixels (greyscale, 8 bits). */
export interface PdfImage {
  data: Buffer;
  filter: 'DCTDecode' | 'JPXDecode';
  widthPx: number;
  heightPx: number;
}

/** A PDF whose pages (`pageSizePt` each) hold one image each, filling the page, and nothing else. */
export function imagePdf(
  images: readonly PdfImage[],
  pageSizePt: readonly [number, number],
): Buffer {
  const [widthPt, heightPt] = pageSizePt;
  const first = 3; // each page: its object, its content stream, its image
  const kids = images.map((_, i) => `${first + i * 3} 0 R`).join(' ');
  const objects: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${images.length} >>`,
  ];
  images.forEach((image, i) => {
    const pageObj = first + i * 3;
    const content = `q ${widthPt} 0 0 ${heightPt} 0 0 cm /Im1 Do Q`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${widthPt} ${heightPt}] /Contents ${pageObj + 1} 0 R /Resources << /XObject << /Im1 ${pageObj + 2} 0 R >> >> >>`,
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
      Buffer.concat([
        Buffer.from(
          `<< /Type /XObject /Subtype /Image /Width ${image.widthPx} /Height ${image.heightPx} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /${image.filter} /Length ${image.data.length} >>\nstream\n`,
          'latin1',
        ),
        image.data,
        Buffer.from('\nendstream', 'latin1'),
      ]),
    );
  });
  return pdfFile(objects);
}

export interface ScannedPdfOptions {
  /** Page size in points (default A4: 595 × 842). */
  pageSizePt?: readonly [number, number];
  /** Resolution the page was "scanned" at (default 200 dpi), i.e. the embedded image's. */
  dpi?: number;
}

/**
 * A PDF as a scanner makes it: each page is only a greyscale JPEG (`/DCTDecode`) of a printed
 * page, with no text layer. Each entry of `pages` is the text lines of one page, rendered as
 * `renderInvoiceImage` does (so tesseract reads them), at the top of a white page of
 * `pageSizePt` scanned at `dpi`. The default is one A4 page of the French invoice.
 */
export async function scannedPdf(
  pages: readonly (readonly string[])[] = [frenchInvoiceLines],
  options: ScannedPdfOptions = {},
): Promise<Buffer> {
  const pageSizePt = options.pageSizePt ?? [595, 842];
  const dpi = options.dpi ?? 200;
  const widthPx = Math.max(1, Math.round((pageSizePt[0] / 72) * dpi));
  const heightPx = Math.max(1, Math.round((pageSizePt[1] / 72) * dpi));
  const images: PdfImage[] = [];
  for (const lines of pages) {
    const text = await renderInvoiceImage(lines, { widthPx });
    const { height = 0 } = await sharp(text).metadata();
    const top = await sharp(text)
      .extract({ left: 0, top: 0, width: widthPx, height: Math.min(height, heightPx) })
      .toBuffer();
    const page = sharp({
      create: { width: widthPx, height: heightPx, channels: 3, background: '#ffffff' },
    }).composite([{ input: top, left: 0, top: 0 }]);
    const data = await sharp(await page.png().toBuffer())
      .toColourspace('b-w')
      .jpeg({ quality: 85 })
      .toBuffer();
    images.push({ data, filter: 'DCTDecode', widthPx, heightPx });
  }
  return imagePdf(images, pageSizePt);
}
