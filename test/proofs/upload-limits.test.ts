/**
 * The upload route bounds the whole request, not only the file part (review finding): a chunked
 * body (no declared length) with megabytes before the first boundary is refused 413 while it
 * streams, and nothing stays on disk.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expectErrorEnvelope } from '../http/http-expect';
import { oneFile } from '../proof-files/multipart';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { makePhoto } from '../support/photos';

const LIMIT = 256 * 1024;
let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi({ PROOF_FILE_MAX_BYTES: String(LIMIT) });
});
afterAll(() => api.close());

it('refuses a chunked request far larger than the file limit, even when the file part is small', async () => {
  const { payload, headers } = oneFile(await makePhoto({ scene: 3 }));
  const boundary = /boundary=(.+)$/.exec(headers['content-type']!)![1]!;
  // Preamble bytes busboy would read and drop, then a valid small file part.
  const preamble = Buffer.alloc(8 * LIMIT, 'x');
  const body = Readable.from([preamble, Buffer.from('\r\n'), payload]);
  const res = await api.t.app.inject({
    method: 'POST',
    url: '/proofs/files',
    headers: {
      'x-api-key': api.keys.provider,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload: body,
  });
  expectErrorEnvelope(res, 413, 'PAYLOAD_TOO_LARGE');
  const tmp = path.join(api.t.platform.config.dataDir, 'tmp', 'uploads');
  expect(await readdir(tmp).catch(() => [])).toEqual([]);
  // A normal upload still works.
  const ok = oneFile(await makePhoto({ scene: 4 }));
  const fine = await api.t.app.inject({
    method: 'POST',
    url: '/proofs/files',
    headers: { 'x-api-key': api.keys.provider, ...ok.headers },
    payload: Readable.from([ok.payload]),
  });
  expect(fine.statusCode).toBe(201);
});
