/**
 * Receives `POST /proofs/files`'s multipart body (API-RULES.md §6: exactly one field, named
 * `file`) straight to a temporary file, never into memory, with the byte limit
 * (`PROOF_FILE_MAX_BYTES`) enforced while streaming: the moment the file passes it the answer
 * is 413 `PAYLOAD_TOO_LARGE` and the partial file is removed. A declared Content-Length that
 * cannot fit is refused before a byte is read. Any other shape (no file, a second part, another
 * field name) is 422 `VALIDATION_ERROR`; a body that is not multipart is 415. A route may allow
 * one optional text field besides the file (`POST /files/proofs`' `escrow_id`, before or after
 * the file), at most once.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
// The multipart plugin's additions to FastifyRequest (isMultipart, parts).
import type {} from '@fastify/multipart';
import { assert, truncateUtf16 } from '@kob/kernel';
import { ApiError } from '../../http/api-error';

export const UPLOAD_FIELD = 'file';

export const uploadLimits = {
  /** Multipart framing (boundaries, part headers) allowed on top of the file's own bytes. */
  multipartOverheadBytesMax: 16 * 1024,
  /** Parts read: the file, and one more to notice that there is more than one (plus the text field, if allowed). */
  partsMax: 2,
  /** Bytes of a non-file field kept before it is refused anyway. */
  fieldBytesMax: 1024,
  /** Header lines per part. */
  partHeaderPairsMax: 32,
} as const;

export interface ReceivedUpload {
  /** The temporary file; the caller removes it. */
  path: string;
  size: number;
  /** The allowed text field's value, when it was sent. */
  text: string | null;
}

export interface UploadOptions {
  maxBytes: number;
  tmpDir: string;
  /** The one optional text field allowed besides the file; none unless named. */
  textField?: string;
}

const tooLarge = (maxBytes: number) =>
  new ApiError(
    413,
    'PAYLOAD_TOO_LARGE',
    `the file is larger than ${maxBytes} bytes (PROOF_FILE_MAX_BYTES)`,
    { max_bytes: maxBytes },
  );

const oneFile = (problem: string, textField?: string) =>
  new ApiError(
    422,
    'VALIDATION_ERROR',
    `send exactly one multipart field named "${UPLOAD_FIELD}" holding the file${
      textField ? ` and at most one text field "${textField}"` : ''
    }: ${problem}`,
    {
      fields: { [UPLOAD_FIELD]: [problem] },
    },
  );

/** busboy's own words for a body that is not well-formed multipart. */
const BUSBOY_MALFORMED =
  /^(Unexpected end of (form|multipart data)|Malformed part header|Multipart: Boundary not found|Part terminated early)/;

/** The multipart plugin's own refusals, in the envelope's terms. */
function multipartError(err: unknown, o: UploadOptions): ApiError | null {
  const { maxBytes, textField } = o;
  const code = (err as { code?: unknown })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT')
    return oneFile('found more than one part', textField);
  if (code === 'FST_PROTO_VIOLATION') return oneFile('a field name is not allowed', textField);
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return null;
  if (err instanceof Error && typeof code !== 'string' && BUSBOY_MALFORMED.test(err.message)) {
    return new ApiError(
      400,
      'MALFORMED_MULTIPART',
      `the multipart body cannot be read: ${truncateUtf16(err.message, 200)}`,
    );
  }
  return null;
}

const overLimit = new WeakSet<object>();

/**
 * Bounds the whole request, not only the file part: busboy reads and drops bytes before the
 * first boundary and after the last, and a chunked body declares no length. Past the bound the
 * parser is stopped with an error and the rest of the body is drained, never buffered.
 */
function bound(req: FastifyRequest, bytesMax: number, marks: WeakSet<object>): void {
  let seen = 0;
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= bytesMax) return;
    req.raw.off('data', count);
    marks.add(req.raw);
    req.raw.unpipe();
    req.raw.emit('error', new Error('upload larger than allowed'));
    req.raw.resume();
  };
  req.raw.on('data', count);
}

/** Streams the one file of the request into `tmpDir`; the caller removes `path` when done. */
export async function receiveUpload(
  req: FastifyRequest,
  o: UploadOptions,
): Promise<ReceivedUpload> {
  if (!req.isMultipart()) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send the file as multipart/form-data, in one field named "${UPLOAD_FIELD}"`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > o.maxBytes + uploadLimits.multipartOverheadBytesMax)
    throw tooLarge(o.maxBytes);
  await mkdir(o.tmpDir, { recursive: true, mode: 0o700 });
  const target = path.join(o.tmpDir, `upload-${randomUUID()}.part`);
  let received: { path: string; size: number } | null = null;
  let text: string | null = null;
  const partsMax = uploadLimits.partsMax + (o.textField === undefined ? 0 : 1);
  const refuse = (problem: string) => oneFile(problem, o.textField);
  try {
    const parts = req
      .parts({
        limits: {
          fileSize: o.maxBytes,
          files: partsMax,
          fields: partsMax,
          parts: partsMax,
          fieldSize: uploadLimits.fieldBytesMax,
          headerPairs: uploadLimits.partHeaderPairsMax,
        },
      })
      [Symbol.asyncIterator]();
    // The first step pipes the request into the parser, synchronously: the counter attached in
    // the same tick sees every byte, including those busboy drops around the parts.
    let step = parts.next();
    bound(req, o.maxBytes + uploadLimits.multipartOverheadBytesMax, overLimit);
    for (;;) {
      const { value: part, done } = await step;
      if (done) break;
      if (part.type !== 'file') {
        if (part.fieldname !== o.textField || o.textField === undefined)
          throw refuse(`found a plain field "${part.fieldname}" instead of a file`);
        if (text !== null) throw refuse(`found the field "${part.fieldname}" twice`);
        if (part.valueTruncated)
          throw refuse(
            `the field "${part.fieldname}" is longer than ${uploadLimits.fieldBytesMax} bytes`,
          );
        text = String(part.value);
        step = parts.next();
        continue;
      }
      if (received) throw refuse('found more than one part');
      if (part.fieldname !== UPLOAD_FIELD)
        throw refuse(`found a file in the field "${part.fieldname}"`);
      const size = await streamToFile(part.file, target, o.maxBytes);
      if (part.file.truncated) throw tooLarge(o.maxBytes);
      received = { path: target, size };
      step = parts.next();
    }
    if (overLimit.has(req.raw)) throw tooLarge(o.maxBytes);
    if (!received) throw refuse('no file was sent');
    return { ...received, text };
  } catch (err) {
    await rm(target, { force: true });
    if (overLimit.has(req.raw)) throw tooLarge(o.maxBytes);
    throw multipartError(err, o) ?? err;
  }
}

/** Writes a part to a new file, counting bytes; more than `maxBytes` stops at once. */
async function streamToFile(
  source: NodeJS.ReadableStream,
  target: string,
  maxBytes: number,
): Promise<number> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      // busboy truncates at the limit itself; this is the second line, should it ever not.
      if (size > maxBytes) return done(tooLarge(maxBytes));
      done(null, chunk);
    },
  });
  await pipeline(source, counter, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
  assert(size <= maxBytes, 'an upload written to disk is within its limit');
  return size;
}
