/** Recognising proof files by their first bytes, never by name or declared type. */
import { sniffFile } from './file-sniffer';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

/** An ISO BMFF `ftyp` box with a major brand and compatible brands. */
const ftyp = (major: string, ...compatible: string[]) => {
  const size = 16 + 4 * compatible.length;
  return bytes(
    [0, 0, 0, size],
    'ftyp',
    major,
    [0, 0, 0, 0],
    compatible.join(''),
    [0, 0, 0, 8],
    'mdat',
  );
};

describe('sniffFile', () => {
  it('recognises JPEG, PNG, PDF and HEIC', () => {
    expect(sniffFile(bytes([0xff, 0xd8, 0xff, 0xe0]))).toEqual({
      supported: true,
      mime: 'image/jpeg',
    });
    expect(sniffFile(bytes([0x89], 'PNG\r\n', [0x1a, 0x0a], 'rest'))).toEqual({
      supported: true,
      mime: 'image/png',
    });
    expect(sniffFile(bytes('%PDF-1.7\n'))).toEqual({ supported: true, mime: 'application/pdf' });
    for (const brand of ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']) {
      expect(sniffFile(ftyp(brand, 'mif1', brand))).toEqual({
        supported: true,
        mime: 'image/heic',
      });
    }
    expect(sniffFile(ftyp('mif1', 'mif1', 'heic'))).toEqual({
      supported: true,
      mime: 'image/heic',
    });
    expect(sniffFile(ftyp('msf1', 'msf1'))).toEqual({ supported: true, mime: 'image/heic' });
  });

  it('names what it refuses: AVIF, MP4, GIF, ZIP, WebP, TIFF, BMP, text, unknown', () => {
    expect(sniffFile(ftyp('avif', 'mif1', 'avif'))).toEqual({
      supported: false,
      detected: 'image/avif',
    });
    expect(sniffFile(ftyp('mif1', 'mif1', 'avif', 'miaf'))).toEqual({
      supported: false,
      detected: 'image/avif',
    });
    expect(sniffFile(ftyp('isom', 'isom', 'mp41'))).toMatchObject({ supported: false });
    expect(sniffFile(bytes('GIF89a', [1, 0, 1, 0]))).toEqual({
      supported: false,
      detected: 'image/gif',
    });
    expect(sniffFile(bytes('PK', [3, 4], 'zipped'))).toEqual({
      supported: false,
      detected: 'application/zip',
    });
    expect(sniffFile(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toEqual({
      supported: false,
      detected: 'image/webp',
    });
    expect(sniffFile(bytes('II*', [0]))).toEqual({ supported: false, detected: 'image/tiff' });
    expect(sniffFile(bytes('BM', [0, 0]))).toEqual({ supported: false, detected: 'image/bmp' });
    expect(sniffFile(bytes('hello, this is a text file\n'))).toEqual({
      supported: false,
      detected: 'text',
    });
    expect(sniffFile(bytes([0, 1, 2, 3, 250]))).toEqual({ supported: false, detected: 'unknown' });
    expect(sniffFile(bytes())).toEqual({ supported: false, detected: 'unknown' });
  });

  it('does not take a PDF header that is not at the start, nor a broken ftyp box', () => {
    expect(sniffFile(bytes('  %PDF-1.4'))).toMatchObject({ supported: false });
    expect(sniffFile(bytes([0, 0, 1, 0], 'ftyp', 'heic', [0, 0, 0, 0]))).toMatchObject({
      supported: false,
    });
    expect(sniffFile(bytes([0xff, 0xd8]))).toMatchObject({ supported: false });
  });
});
