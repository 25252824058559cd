/**
 * What `GET /proofs/files/{id}` sends: images as a preview made with sharp (decoded, turned
 * upright per their EXIF orientation, longest side at most `previewLongestSidePx`, re-encoded
 * as JPEG with no metadata at all: sharp writes none unless asked, so GPS, device and times
 * never leave through a preview); PDFs exactly as stored. HEIC is decoded by the WebAssembly
 * decoder first (its HEIF transforms are already applied, so no EXIF rotation on top).
 */
import type { Sharp } from 'sharp';
import { sharp } from './sharp-settings';
import { assert } from '@kob/kernel';
import { unreadableFile } from './file-rejected';
import type { ProofMime } from './file-sniffer';
import { decodeHeic } from './heic-decoder';
import { proofFileLimits } from './proof-file-limits';

export interface Preview {
  body: Buffer;
  mime: 'image/jpeg' | 'application/pdf';
}

export async function previewOf(bytes: Buffer, mime: ProofMime): Promise<Preview> {
  switch (mime) {
    case 'application/pdf':
      return { body: bytes, mime: 'application/pdf' };
    case 'image/heic': {
      const decoded = await decodeHeic(bytes, {
        timeoutMs: proofFileLimits.heicDecodeTimeoutMs,
        pixelsMax: proofFileLimits.imagePixelsMax,
      });
      if (!decoded.ok) throw unreadableFile(`the HEIC image cannot be decoded: ${decoded.message}`);
      return jpegPreview(
        sharp(decoded.rgba, { raw: { width: decoded.width, height: decoded.height, channels: 4 } }),
      );
    }
    case 'image/jpeg':
    case 'image/png':
      return jpegPreview(
        sharp(bytes, { limitInputPixels: proofFileLimits.imagePixelsMax }).rotate(),
      );
  }
}

async function jpegPreview(image: Sharp): Promise<Preview> {
  const side = proofFileLimits.previewLongestSidePx;
  const { data, info } = await image
    .resize(side, side, { fit: 'inside', withoutEnlargement: true })
    // A transparent PNG gets a white ground, not JPEG's black.
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: proofFileLimits.previewJpegQuality })
    .toBuffer({ resolveWithObject: true });
  assert(Math.max(info.width, info.height) <= side, 'a preview is within its size limit');
  return { body: data, mime: 'image/jpeg' };
}
