/**
 * `POST /proofs/files` and `GET /proofs/files/{id}` over HTTP on a real test app (issue 5):
 * uploads of JPEG, PNG, PDF and HEIC with their EXIF read back as the server read it (GPS signs
 * in both hemispheres, offsets, GPS time alone, none), the byte limit (413, nothing left on
 * disk), refused types (415) and unreadable files (422), exactly one field `file`, the preview
 * (downscaled, no EXIF) and the PDF as stored, who may read, one blob for the same bytes twice,
 * the event naming its uploader, and Idempotency-Key.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import exifr from 'exifr';
import type { Response } from 'light-my-request';
import sharp from 'sharp';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { minimalPdf } from '../support/pdfs';
import { makePhoto } from '../support/photos';
import { multipart, oneFile } from './multipart';

const MAX_BYTES = 400_000;
/** Smaller than most test photos: uploads must not be capped by the JSON body limit. */
const HTTP_BODY_LIMIT_BYTES = 65_536;
const HEIC_FIXTURE = path.resolve(__dirname, 'fixtures/scene-7.heic');

let api: EscrowApi;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'proof-files-'));
  api = await startEscrowApi({
    DATA_DIR: dataDir,
    PROOF_FILE_MAX_BYTES: String(MAX_BYTES),
    HTTP_BODY_LIMIT_BYTES: String(HTTP_BODY_LIMIT_BYTES),
  });
});
afterAll(async () => {
  await api.close();
  await rm(dataDir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function upload(
  key: string | null,
  body: { payload: Buffer; headers: Record<string, string> },
  headers: Record<string, string> = {},
): Promise<Response> {
  return api.t.app.inject({
    method: 'POST',
    url: '/proofs/files',
    headers: { ...(key ? { 'x-api-key': key } : {}), ...body.headers, ...headers },
    payload: body.payload,
  });
}

async function uploaded(bytes: Buffer, key = api.keys.provider): Promise<Record<string, any>> {
  const res = await upload(key, oneFile(bytes));
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json();
}

const preview = (id: string, key: string | null) =>
  api.t.app.inject({
    method: 'GET',
    url: `/proofs/files/${id}`,
    headers: key ? { 'x-api-key': key } : {},
  });

/** Every file under DATA_DIR/<sub> (relative paths). */
async function filesUnder(sub: string): Promise<string[]> {
  const dir = path.join(dataDir, sub);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('POST /proofs/files', () => {
  it('stores a JPEG and answers what the server read from its EXIF (south, east, offset, GPS time)', async () => {
    const photo = await makePhoto({
      gps: { lat: -4.3217, lng: 15.3125 },
      gpsTime: new Date('2026-11-27T13:30:05Z'),
      capture: { at: new Date('2026-11-27T13:30:05Z'), offset: '+01:00' },
    });
    const res = await upload(api.keys.provider, oneFile(photo));
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-event-position']).toEqual(expect.any(String));
    expect(res.json()).toEqual({
      file_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sha256: sha(photo),
      size: photo.length,
      mime: 'image/jpeg',
      exif: {
        gps_lat: -4.3217,
        gps_lng: 15.3125,
        gps_time: '2026-11-27T13:30:05.000Z',
        capture_time: '2026-11-27T14:30:05',
        capture_offset: '+01:00',
        make: 'Kobatela Test',
        model: 'SceneCam 2',
        software: 'photos.ts 1.0',
      },
      // The frontend's names (FRONTEND-CONTRACT D6, A10), answered by both upload routes.
      storage_key: res.json().file_id,
      storage_url: `/proofs/files/${res.json().file_id}`,
      content_type: 'image/jpeg',
      size_bytes: photo.length,
      escrow_id: null,
    });
  });

  it('reads north/west coordinates, a capture time without zone, a GPS time alone, and no EXIF', async () => {
    const nw = await uploaded(
      await makePhoto({
        gps: { lat: 40.7128, lng: -74.006 },
        capture: { at: new Date('2026-05-01T09:00:00Z') },
      }),
    );
    expect(nw.exif).toMatchObject({
      gps_lat: 40.7128,
      gps_lng: -74.006,
      capture_time: '2026-05-01T09:00:00',
      capture_offset: null,
      gps_time: null,
    });
    const gpsTimeOnly = await uploaded(
      await makePhoto({ gpsTime: new Date('2026-05-01T23:59:30Z'), device: null }),
    );
    expect(gpsTimeOnly.exif).toEqual({
      gps_lat: null,
      gps_lng: null,
      gps_time: '2026-05-01T23:59:30.000Z',
      capture_time: null,
      capture_offset: null,
      make: null,
      model: null,
      software: null,
    });
    expect((await uploaded(await makePhoto({ exif: false }))).exif).toBeNull();
  });

  it('takes PNG (EXIF read too), PDF and HEIC, whatever name and type the client gives', async () => {
    const png = await makePhoto({
      format: 'png',
      width: 400,
      height: 300,
      gps: { lat: -33.8688, lng: -70.6693 },
    });
    const pngRes = await upload(
      api.keys.provider,
      oneFile(png, 'misleading.pdf', 'application/pdf'),
    );
    expect(pngRes.statusCode).toBe(201);
    expect(pngRes.json()).toMatchObject({
      mime: 'image/png',
      exif: { gps_lat: -33.8688, gps_lng: -70.6693 },
    });
    const pdf = minimalPdf('Invoice 2026-11');
    expect(await uploaded(pdf)).toMatchObject({
      mime: 'application/pdf',
      size: pdf.length,
      sha256: sha(pdf),
      exif: null,
    });
    const heic = await readFile(HEIC_FIXTURE);
    expect(await uploaded(heic)).toMatchObject({
      mime: 'image/heic',
      exif: {
        gps_lat: -4.3217,
        gps_lng: 15.3125,
        capture_time: '2026-11-27T14:30:05',
        capture_offset: '+01:00',
      },
    });
  });

  it('records the upload as an event naming its uploader, and the read model row', async () => {
    const photo = await makePhoto({ scene: 21, width: 320, height: 240 });
    const { file_id } = await uploaded(photo, api.keys.client);
    const events = await api.t.platform.store.readStream(`proof-file-${file_id}`);
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('proof_file.uploaded.v1');
    expect(events[0]!.data).toMatchObject({
      fileId: file_id,
      sha256: sha(photo),
      kind: 'image',
      width: 320,
      height: 240,
      pageCount: null,
      phash: expect.stringMatching(/^[0-9a-f]{16}$/),
      uploaderUserId: api.ids.client,
      uploaderKeyId: expect.any(String),
    });
    expect(events[0]!.metadata.actor).toMatchObject({
      kind: 'api_key',
      scope: 'sender',
      userId: api.ids.client,
    });
    const row = await api.t.platform.db
      .selectFrom('proof_files')
      .selectAll()
      .where('id', '=', file_id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      sha256: sha(photo),
      mime: 'image/jpeg',
      uploader_user_id: api.ids.client,
      width: 320,
      height: 240,
    });
  });

  it('stores the same bytes once: two uploads are two records on one blob', async () => {
    const photo = await makePhoto({ scene: 33, width: 200, height: 150 });
    const blobsBefore = await filesUnder('blobs');
    const first = await uploaded(photo);
    const second = await uploaded(photo, api.keys.support);
    expect(second.file_id).not.toBe(first.file_id);
    expect(second.sha256).toBe(first.sha256);
    const added = (await filesUnder('blobs')).filter((f) => !blobsBefore.includes(f));
    const h = sha(photo);
    expect(added).toEqual([path.join(h.slice(0, 2), h.slice(2, 4), h)]);
    expect((await readFile(path.join(dataDir, 'blobs', added[0]!))).equals(photo)).toBe(true);
    const rows = await api.t.platform.db
      .selectFrom('proof_files')
      .select('id')
      .where('sha256', '=', h)
      .execute();
    expect(rows.map((r) => r.id).sort()).toEqual([first.file_id, second.file_id].sort());
  });

  it('refuses a file above PROOF_FILE_MAX_BYTES with 413 and leaves nothing on disk', async () => {
    const photo = await makePhoto({ width: 2000, height: 1500, format: 'png' });
    const before = await filesUnder('blobs');
    // Declared far above the limit: refused before the body is read.
    const huge = Buffer.concat([photo, Buffer.alloc(MAX_BYTES * 2)]);
    expectErrorEnvelope(
      await upload(api.keys.provider, oneFile(huge, 'big.png', 'image/png')),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // One byte over, within the multipart framing allowance: refused while streaming.
    const justOver = Buffer.concat([photo, Buffer.alloc(MAX_BYTES)]).subarray(0, MAX_BYTES + 1);
    const res = await upload(api.keys.provider, oneFile(justOver, 'big.png', 'image/png'));
    expectErrorEnvelope(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.json().error.details).toEqual({ max_bytes: MAX_BYTES });
    expect(await filesUnder('tmp')).toEqual([]);
    expect(await filesUnder('blobs')).toEqual(before);
  });

  it('is not capped by HTTP_BODY_LIMIT_BYTES (the JSON body limit)', async () => {
    const photo = await makePhoto({ scene: 12, width: 2000, height: 1500 });
    expect(photo.length).toBeGreaterThan(HTTP_BODY_LIMIT_BYTES);
    expect(photo.length).toBeLessThan(MAX_BYTES);
    expect(await uploaded(photo)).toMatchObject({ size: photo.length, sha256: sha(photo) });
    const json = await api.call('POST', '/escrows', api.keys.client, {
      pad: 'x'.repeat(HTTP_BODY_LIMIT_BYTES),
    });
    expectErrorEnvelope(json, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('takes a file of exactly PROOF_FILE_MAX_BYTES bytes (the limit is inclusive)', async () => {
    const pdf = minimalPdf('padded');
    const exact = Buffer.concat([pdf, Buffer.alloc(MAX_BYTES - pdf.length, 0x20)]);
    expect(exact.length).toBe(MAX_BYTES);
    expect(await uploaded(exact)).toMatchObject({ size: MAX_BYTES, mime: 'application/pdf' });
  });

  it('refuses text, zip, GIF and AVIF with 415 naming what was sent', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
      .gif()
      .toBuffer();
    const avif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0f0' } })
      .avif()
      .toBuffer();
    const cases: [Buffer, string][] = [
      [Buffer.from('these are just words\n'), 'text'],
      [Buffer.from('PK\x03\x04\x14\x00\x00\x00zip', 'latin1'), 'application/zip'],
      [gif, 'image/gif'],
      [avif, 'image/avif'],
    ];
    for (const [bytes, detected] of cases) {
      const res = await upload(api.keys.provider, oneFile(bytes, 'photo.jpg', 'image/jpeg'));
      expectErrorEnvelope(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.json().error.details).toEqual({ detected });
    }
    expect(await filesUnder('tmp')).toEqual([]);
  });

  it('refuses a truncated JPEG and a broken PDF with 422 UNREADABLE_FILE', async () => {
    const photo = await makePhoto({ scene: 44 });
    expectErrorEnvelope(
      await upload(api.keys.provider, oneFile(photo.subarray(0, Math.floor(photo.length * 0.6)))),
      422,
      'UNREADABLE_FILE',
    );
    // A large JPEG is read at reduced scale (shrink-on-load), yet every block is still decoded:
    // cut anywhere, it is refused. So is a cut PNG.
    const large = await makePhoto({ scene: 45, width: 3000, height: 2000 });
    for (const cut of [0.3, 0.9, 0.99]) {
      expectErrorEnvelope(
        await upload(api.keys.provider, oneFile(large.subarray(0, Math.floor(large.length * cut)))),
        422,
        'UNREADABLE_FILE',
      );
    }
    const png = await makePhoto({ scene: 46, format: 'png', width: 640, height: 480 });
    expectErrorEnvelope(
      await upload(
        api.keys.provider,
        oneFile(png.subarray(0, Math.floor(png.length * 0.7)), 'x.png', 'image/png'),
      ),
      422,
      'UNREADABLE_FILE',
    );
    expectErrorEnvelope(
      await upload(api.keys.provider, oneFile(Buffer.from('%PDF-1.7\n1 0 obj << broken'), 'x.pdf')),
      422,
      'UNREADABLE_FILE',
    );
    expectErrorEnvelope(
      await upload(api.keys.provider, oneFile(Buffer.alloc(0))),
      422,
      'VALIDATION_ERROR',
    );
    expect(await filesUnder('tmp')).toEqual([]);
  });

  it('takes exactly one field named file: none, two, a plain field or another name → 422', async () => {
    const photo = await makePhoto({ scene: 55, width: 64, height: 48 });
    const shapes = [
      multipart([]),
      multipart([
        { name: 'file', filename: 'a.jpg', body: photo },
        { name: 'file', filename: 'b.jpg', body: photo },
      ]),
      multipart([
        { name: 'file', filename: 'a.jpg', body: photo },
        { name: 'note', body: 'hello' },
      ]),
      multipart([{ name: 'file', body: 'not a file' }]),
      multipart([{ name: 'photo', filename: 'a.jpg', body: photo }]),
    ];
    for (const shape of shapes) {
      const res = await upload(api.keys.provider, shape);
      expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
      expect(res.json().error.details.fields).toHaveProperty('file');
    }
    expect(await filesUnder('tmp')).toEqual([]);
  });

  it('answers a JSON body with 415, and multipart anywhere else with 415', async () => {
    expectErrorEnvelope(
      await api.call('POST', '/proofs/files', api.keys.provider, {}),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const elsewhere = await api.t.app.inject({
      method: 'POST',
      url: '/escrows',
      headers: { 'x-api-key': api.keys.client, ...oneFile(Buffer.from('x')).headers },
      payload: oneFile(Buffer.from('x')).payload,
    });
    expectErrorEnvelope(elsewhere, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const nowhere = await api.t.app.inject({
      method: 'POST',
      url: '/no-such-route',
      ...oneFile(Buffer.from('x')),
    });
    expectErrorEnvelope(nowhere, 404, 'ROUTE_NOT_FOUND');
  });

  it('is open to sender, support and admin; not to auditor; not without a key', async () => {
    const photo = await makePhoto({ scene: 66, width: 64, height: 48 });
    expectErrorEnvelope(await upload(null, oneFile(photo)), 401, 'NO_API_KEY');
    expectErrorEnvelope(await upload(api.keys.auditor, oneFile(photo)), 403, 'INSUFFICIENT_SCOPE');
    for (const key of [api.keys.stranger, api.keys.support, api.keys.admin]) {
      expect((await upload(key, oneFile(photo))).statusCode).toBe(201);
    }
  });

  it('honours Idempotency-Key: same bytes → the first record, other bytes → 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const a = await makePhoto({ scene: 77, width: 64, height: 48 });
    const b = await makePhoto({ scene: 78, width: 64, height: 48 });
    const key = { 'idempotency-key': `upload-${Date.now()}` };
    const first = await upload(api.keys.provider, oneFile(a), key);
    expect(first.statusCode).toBe(201);
    const again = await upload(api.keys.provider, oneFile(a, 'renamed.jpg'), key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expectErrorEnvelope(
      await upload(api.keys.provider, oneFile(b), key),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    const stored = await api.t.platform.store.readStream(`proof-file-${first.json().file_id}`);
    expect(stored).toHaveLength(1);
  });
});

describe('GET /proofs/files/{id}', () => {
  it('answers an image as a downscaled JPEG preview with no EXIF', async () => {
    const jpeg = await makePhoto({
      width: 2000,
      height: 1500,
      gps: { lat: 1, lng: 2 },
      capture: { at: new Date(), offset: '+02:00' },
    });
    expect(await exifr.gps(jpeg)).toMatchObject({ latitude: 1, longitude: 2 });
    const { file_id } = await uploaded(jpeg);
    const res = await preview(file_id, api.keys.provider);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const body = res.rawPayload;
    expect(await sharp(body).metadata()).toMatchObject({
      format: 'jpeg',
      width: 1600,
      height: 1200,
    });
    expect(await exifr.parse(body)).toBeUndefined();
  });

  it('answers a PDF exactly as stored', async () => {
    const pdf = minimalPdf('Delivered as agreed');
    const { file_id } = await uploaded(pdf);
    const res = await preview(file_id, api.keys.provider);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.rawPayload.equals(pdf)).toBe(true);
  });

  it('lets the uploader, support, auditor and admin read; another sender gets 403; no key 401', async () => {
    const { file_id } = await uploaded(
      await makePhoto({ scene: 88, width: 64, height: 48 }),
      api.keys.provider,
    );
    for (const key of [api.keys.provider, api.keys.support, api.keys.auditor, api.keys.admin]) {
      expect((await preview(file_id, key)).statusCode).toBe(200);
    }
    expectErrorEnvelope(await preview(file_id, api.keys.client), 403, 'NOT_FILE_UPLOADER');
    expectErrorEnvelope(await preview(file_id, api.keys.stranger), 403, 'NOT_FILE_UPLOADER');
    expectErrorEnvelope(await preview(file_id, null), 401, 'NO_API_KEY');
  });

  it('answers 404 PROOF_FILE_NOT_FOUND for an unknown or malformed id', async () => {
    expectErrorEnvelope(
      await preview('00000000-0000-4000-8000-000000000000', api.keys.admin),
      404,
      'PROOF_FILE_NOT_FOUND',
    );
    expectErrorEnvelope(await preview('not-a-uuid', api.keys.admin), 404, 'PROOF_FILE_NOT_FOUND');
  });
});
