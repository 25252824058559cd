/** multipart/form-data bodies for upload tests, built by hand (boundary, part headers, bytes). */
import { randomBytes } from 'node:crypto';

export interface Part {
  name: string;
  /** A file part when `filename` is given, else a plain field. */
  filename?: string;
  contentType?: string;
  body: Buffer | string;
}

export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----kobatela-test-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head =
      `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
      (p.contentType
        ? `Content-Type: ${p.contentType}\r\n`
        : p.filename !== undefined
          ? 'Content-Type: application/octet-stream\r\n'
          : '') +
      '\r\n';
    chunks.push(
      Buffer.from(head, 'latin1'),
      Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** One file in the field `file`, the shape POST /proofs/files takes. */
export const oneFile = (body: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg') =>
  multipart([{ name: 'file', filename, contentType, body }]);
