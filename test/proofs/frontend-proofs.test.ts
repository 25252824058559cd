/**
 * The proof side of FRONTEND-CONTRACT.md over HTTP on a real test app: kind-less and
 * case-insensitive milestone kinds (D5, A5); a proof's type against its milestone's kind and its
 * file (A6, `PROOF_TYPE_MISMATCH`); the upload alias `POST /files/proofs` with its `escrow_id`
 * (D6, A7, §5.3) and its answer; `POST /proofs` by `storage_key` (§5.4) with the upload's
 * `storage_url`/`sha256`, the uploader and escrow binding (`RELATION_MISMATCH`); ProofRead's
 * `proof_id`, `storage_key`, `storage_url` (A10); `comment` on decisions (D8); and the review
 * queue (§6.1, A8). Every refusal is checked to change nothing.
 */
import { randomUUID } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type Part, multipart } from '../proof-files/multipart';
import type { EscrowApi } from '../support/escrow-api';
import { minimalPdf } from '../support/pdfs';
import { makePhoto } from '../support/photos';
import { KINSHASA, fundedWithMilestone, submitProof, upload } from '../support/proof-api';
import { storedEventCount } from '../support/stored-events';
import {
  eventData,
  milestoneOf,
  sha256Of,
  shaReservation,
  startProofApi,
  streamTypes,
} from './support/proof-test-kit';

let api: EscrowApi;
beforeAll(async () => {
  api = await startProofApi();
});
afterAll(() => api.close());

let scene = 700;
let pdfSeq = 0;
/** A fresh photo of a new scene (a file may back one proof ever). */
const photo = () => makePhoto({ scene: scene++, gps: KINSHASA, gpsTime: new Date() });
const pdf = () => minimalPdf(`frontend proof document ${++pdfSeq}`);

const filePart = (body: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg'): Part => ({
  name: 'file',
  filename,
  contentType,
  body,
});
const escrowPart = (value: string): Part => ({ name: 'escrow_id', body: value });

/** `POST /files/proofs` with the given parts, as `as`. */
function uploadAlias(parts: Part[], as = api.keys.provider) {
  const { payload, headers } = multipart(parts);
  return api.t.app.inject({
    method: 'POST',
    url: '/files/proofs',
    headers: { 'x-api-key': as, ...headers },
    payload,
  });
}

/** How many uploads are recorded (the `proof_file.uploaded.v1` events). */
const uploads = () => storedEventCount(api.t.platform, (e) => e.type === 'proof_file.uploaded.v1');

async function milestones(escrowId: string): Promise<Record<string, any>[]> {
  return (await api.call('GET', `/escrows/${escrowId}/milestones`, api.keys.client)).json();
}

describe('milestone proof_kind (D5, A5)', () => {
  const body = (i: number, over: Record<string, unknown> = {}) => ({
    label: `m${i}`,
    amount: '10.00',
    currency: 'USD',
    sequence_index: i,
    ...over,
  });

  it('is null without proof_kind (kind-less), case-insensitive, and DOCUMENT is a kind', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const url = `/escrows/${id}/milestones`;
    const sent: [Record<string, unknown>, string | null][] = [
      [{}, null],
      [{ proof_kind: null }, null],
      [{ proof_kind: 'invoice' }, 'INVOICE'],
      [{ proof_kind: 'Document' }, 'DOCUMENT'],
      [{ proof_kind: 'photo' }, 'PHOTO'],
      [{ proof_kind: 'PDF' }, 'PDF'],
    ];
    for (const [i, [over, kind]] of sent.entries()) {
      const res = await api.call('POST', url, api.keys.client, body(i + 1, over));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ sequence_index: i + 1, proof_kind: kind });
    }
    expect((await milestones(id)).map((m) => m.proof_kind)).toEqual(sent.map(([, k]) => k));
  });

  it('refuses an unknown kind with 422 and adds nothing', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const before = await streamTypes(api, `escrow-${id}`);
    for (const kind of ['VIDEO', '', 'PHOTOS', 7]) {
      const res = await api.call('POST', `/escrows/${id}/milestones`, api.keys.client, {
        ...body(1),
        proof_kind: kind,
      });
      expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
    }
    expect(await streamTypes(api, `escrow-${id}`)).toEqual(before);
    expect(await milestones(id)).toEqual([]);
  });
});

describe('a proof on a kind-less milestone: its type decides (D5, A6)', () => {
  it('judges a PHOTO with an image by the photo rules: a clean one is approved and paid', async () => {
    const [escrowId, milestoneId] = await fundedWithMilestone(api);
    expect((await milestoneOf(api, milestoneId)).proof_kind).toBeNull();
    const file = await upload(api, await photo());
    const res = await submitProof(api, { escrow_id: escrowId, file_id: file.file_id });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ type: 'PHOTO', status: 'APPROVED', review_reasons: [] });
    expect((await milestoneOf(api, milestoneId)).status).toBe('PAID');
  });

  it('sends a DOCUMENT (also lower-case) to a person’s review', async () => {
    for (const type of ['DOCUMENT', 'document', 'PDF']) {
      const [escrowId, milestoneId] = await fundedWithMilestone(api);
      const file = await upload(api, pdf(), api.keys.provider, 'doc.pdf', 'application/pdf');
      const res = await submitProof(api, { escrow_id: escrowId, type, file_id: file.file_id });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ status: 'PENDING', review_reasons: ['DOCUMENT_REVIEW'] });
      expect((await milestoneOf(api, milestoneId)).status).toBe('PENDING_REVIEW');
    }
  });

  it('refuses a PDF called a photo, and a photo claim without an upload, storing nothing', async () => {
    const [escrowId, milestoneId] = await fundedWithMilestone(api);
    const bytes = pdf();
    const file = await upload(api, bytes, api.keys.provider, 'doc.pdf', 'application/pdf');
    const before = await streamTypes(api, `escrow-${escrowId}`);
    const asPhoto = await submitProof(api, { escrow_id: escrowId, file_id: file.file_id });
    expect(expectErrorEnvelope(asPhoto, 422, 'PROOF_TYPE_MISMATCH').details).toMatchObject({
      file_kind: 'pdf',
    });
    const claim = await submitProof(api, {
      escrow_id: escrowId,
      storage_url: 'https://files.example.org/claimed.jpg',
      sha256: sha256Of(Buffer.from(randomUUID())),
      metadata: { exif_timestamp: new Date().toISOString() },
    });
    expectErrorEnvelope(claim, 422, 'PROOF_TYPE_MISMATCH');
    expect(await streamTypes(api, `escrow-${escrowId}`)).toEqual(before);
    expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');
    expect(await shaReservation(api, sha256Of(bytes))).toEqual({ status: 'free', events: 0 });
  });

  it('refuses a type of the other family than a kinded milestone’s, storing nothing', async () => {
    const cases: [string, string, () => Promise<Record<string, any>>][] = [
      ['PHOTO', 'DOCUMENT', async () => upload(api, await photo())],
      [
        'DOCUMENT',
        'PHOTO',
        () => upload(api, pdf(), api.keys.provider, 'doc.pdf', 'application/pdf'),
      ],
      ['INVOICE', 'photo', async () => upload(api, await photo())],
    ];
    for (const [type, proofKind, file] of cases) {
      const [escrowId, milestoneId] = await fundedWithMilestone(api, { proofKind });
      const before = await streamTypes(api, `escrow-${escrowId}`);
      const res = await submitProof(api, {
        escrow_id: escrowId,
        type,
        file_id: (await file()).file_id,
      });
      expectErrorEnvelope(res, 422, 'PROOF_TYPE_MISMATCH');
      expect(await streamTypes(api, `escrow-${escrowId}`)).toEqual(before);
      expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');
    }
  });

  it('refuses a PHOTO whose file is a PDF on a PHOTO milestone (it never skips review)', async () => {
    const [escrowId, milestoneId] = await fundedWithMilestone(api, { proofKind: 'PHOTO' });
    const file = await upload(api, pdf(), api.keys.provider, 'doc.pdf', 'application/pdf');
    const res = await submitProof(api, { escrow_id: escrowId, file_id: file.file_id });
    expectErrorEnvelope(res, 422, 'PROOF_TYPE_MISMATCH');
    expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');
  });
});

describe('POST /files/proofs (D6, A7, §5.3)', () => {
  it('answers the upload fields under both names, with escrow_id after or before the file', async () => {
    const escrowId = await api.escrow();
    for (const order of ['file first', 'escrow_id first'] as const) {
      const bytes = await photo();
      const parts = [filePart(bytes), escrowPart(escrowId.toUpperCase())];
      const res = await uploadAlias(order === 'file first' ? parts : parts.reverse());
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(
        [
          'file_id',
          'sha256',
          'size',
          'mime',
          'exif',
          'storage_key',
          'storage_url',
          'content_type',
          'size_bytes',
          'escrow_id',
        ].sort(),
      );
      expect(body).toMatchObject({
        sha256: sha256Of(bytes),
        size: bytes.length,
        mime: 'image/jpeg',
        storage_key: body.file_id,
        storage_url: `/proofs/files/${body.file_id}`,
        content_type: 'image/jpeg',
        size_bytes: bytes.length,
        escrow_id: escrowId,
      });
      expect(body.exif).toMatchObject({ gps_lat: expect.any(Number) });
      const [recorded] = await eventData(
        api,
        `proof-file-${body.file_id}`,
        'proof_file.uploaded.v1',
      );
      expect(recorded).toMatchObject({ escrowId, uploaderUserId: api.ids.provider });
    }
  });

  it('takes no escrow_id (null), and support and admin may upload', async () => {
    for (const key of [api.keys.provider, api.keys.support, api.keys.admin]) {
      const res = await uploadAlias([filePart(await photo())], key);
      expect(res.statusCode).toBe(201);
      expect(res.json().escrow_id).toBeNull();
    }
    const escrowId = await api.escrow();
    const staff = await uploadAlias(
      [filePart(await photo()), escrowPart(escrowId)],
      api.keys.support,
    );
    expect(staff.statusCode).toBe(201);
    expect(staff.json().escrow_id).toBe(escrowId);
  });

  it('refuses a bad escrow_id, another’s escrow and auditors, recording nothing', async () => {
    const escrowId = await api.escrow();
    const before = await uploads();
    const refusals: [Part[], string, number, string][] = [
      [
        [filePart(await photo()), escrowPart('not-a-uuid')],
        api.keys.provider,
        422,
        'VALIDATION_ERROR',
      ],
      [[filePart(await photo()), escrowPart('')], api.keys.provider, 422, 'VALIDATION_ERROR'],
      [
        [filePart(await photo()), escrowPart(randomUUID())],
        api.keys.provider,
        404,
        'ESCROW_NOT_FOUND',
      ],
      [[filePart(await photo()), escrowPart(escrowId)], api.keys.stranger, 403, 'NOT_ESCROW_PARTY'],
      [
        [filePart(await photo()), escrowPart(escrowId)],
        api.keys.auditor,
        403,
        'INSUFFICIENT_SCOPE',
      ],
    ];
    for (const [parts, key, status, code] of refusals) {
      expectErrorEnvelope(await uploadAlias(parts, key), status, code);
    }
    expect(await uploads()).toBe(before);
  });

  it('refuses other parts, a second escrow_id or file, and no file with 422, recording nothing', async () => {
    const escrowId = await api.escrow();
    const before = await uploads();
    const bytes = await photo();
    const shapes: Part[][] = [
      [filePart(bytes), escrowPart(escrowId), escrowPart(escrowId)],
      [filePart(bytes), { name: 'note', body: 'hello' }],
      [{ name: 'metadata', body: '{}' }, filePart(bytes)],
      [filePart(bytes), filePart(bytes)],
      [escrowPart(escrowId)],
      [filePart(bytes), { name: 'escrow_id', filename: 'e.txt', body: escrowId }],
    ];
    for (const parts of shapes) {
      expectErrorEnvelope(await uploadAlias(parts), 422, 'VALIDATION_ERROR');
    }
    expect(await uploads()).toBe(before);
  });

  it('applies the old route’s type and size rules, and the old route still refuses escrow_id', async () => {
    const text = Buffer.from('plain text, not a proof');
    const { payload, headers } = multipart([filePart(text, 'a.txt', 'text/plain')]);
    const old = await api.t.app.inject({
      method: 'POST',
      url: '/proofs/files',
      headers: { 'x-api-key': api.keys.provider, ...headers },
      payload,
    });
    const alias = await uploadAlias([filePart(text, 'a.txt', 'text/plain')]);
    expectErrorEnvelope(alias, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectErrorEnvelope(old, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const big = await uploadAlias([
      filePart(Buffer.alloc(api.t.platform.config.proofFileMaxBytes + 1, 1)),
    ]);
    expectErrorEnvelope(big, 413, 'PAYLOAD_TOO_LARGE');
    const escrowId = await api.escrow();
    const withEscrow = multipart([filePart(await photo()), escrowPart(escrowId)]);
    const oldWithEscrow = await api.t.app.inject({
      method: 'POST',
      url: '/proofs/files',
      headers: { 'x-api-key': api.keys.provider, ...withEscrow.headers },
      payload: withEscrow.payload,
    });
    expectErrorEnvelope(oldWithEscrow, 422, 'VALIDATION_ERROR');
  });
});

describe('POST /proofs by storage_key (§5.4, A7, A10)', () => {
  /** An upload through the alias for `escrowId` (or none), as `as`. */
  async function aliasUpload(bytes: Buffer, escrowId: string | null, as = api.keys.provider) {
    const parts = [filePart(bytes), ...(escrowId ? [escrowPart(escrowId)] : [])];
    const res = await uploadAlias(parts, as);
    if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, any>;
  }

  it('submits what the frontend sends and answers ProofRead with proof_id, storage_key, storage_url', async () => {
    const [escrowId] = await fundedWithMilestone(api);
    const file = await aliasUpload(await photo(), escrowId);
    const res = await submitProof(api, {
      escrow_id: escrowId,
      type: 'PHOTO',
      storage_key: file.storage_key,
      storage_url: file.storage_url,
      sha256: file.sha256,
      metadata: { note: 'the roof, done' },
    });
    expect(res.statusCode).toBe(201);
    const proof = res.json();
    const expected = {
      proof_id: proof.id,
      file_id: file.file_id,
      storage_key: file.file_id,
      storage_url: `/proofs/files/${file.file_id}`,
      sha256: file.sha256,
      status: 'APPROVED',
    };
    expect(proof).toMatchObject(expected);
    const read = await api.call('GET', `/proofs/${proof.id}`, api.keys.client);
    expect(read.json()).toMatchObject(expected);
    const list = await api.call('GET', `/proofs?escrow_id=${escrowId}`, api.keys.support);
    expect(list.json().items).toEqual([expect.objectContaining(expected)]);
  });

  it('gives a claim a null storage_key and keeps its storage_url', async () => {
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'PHOTO' });
    const res = await submitProof(api, {
      escrow_id: escrowId,
      storage_url: 'https://files.example.org/claim-frontend.jpg',
      sha256: sha256Of(Buffer.from(randomUUID())),
      metadata: { exif_timestamp: new Date().toISOString() },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      proof_id: res.json().id,
      storage_key: null,
      file_id: null,
      storage_url: 'https://files.example.org/claim-frontend.jpg',
    });
  });

  it('refuses an unknown key, another’s upload, a mismatched url, sha256 or file_id, and another escrow’s upload, storing nothing', async () => {
    const [escrowId, milestoneId] = await fundedWithMilestone(api);
    const [otherEscrow] = await fundedWithMilestone(api);
    const mine = await aliasUpload(await photo(), escrowId);
    const clients = await aliasUpload(await photo(), escrowId, api.keys.client);
    const elsewhere = await aliasUpload(await photo(), otherEscrow);
    const before = await streamTypes(api, `escrow-${escrowId}`);
    const key = (over: Record<string, unknown>) => ({ escrow_id: escrowId, ...over });
    const refusals: [Record<string, unknown>, number, string][] = [
      [key({ storage_key: randomUUID() }), 404, 'PROOF_FILE_NOT_FOUND'],
      [key({ storage_key: clients.storage_key }), 403, 'NOT_FILE_UPLOADER'],
      [key({ storage_key: elsewhere.storage_key }), 403, 'RELATION_MISMATCH'],
      [
        key({ storage_key: mine.storage_key, storage_url: elsewhere.storage_url }),
        422,
        'VALIDATION_ERROR',
      ],
      [
        key({ storage_key: mine.storage_key, storage_url: `https://x.example${mine.storage_url}` }),
        422,
        'VALIDATION_ERROR',
      ],
      [key({ storage_key: mine.storage_key, sha256: elsewhere.sha256 }), 422, 'VALIDATION_ERROR'],
      [key({ storage_key: mine.storage_key, file_id: elsewhere.file_id }), 422, 'VALIDATION_ERROR'],
      [key({ storage_key: 'not-a-uuid' }), 422, 'VALIDATION_ERROR'],
    ];
    for (const [body, status, code] of refusals) {
      expectErrorEnvelope(await submitProof(api, body), status, code);
    }
    expect(await streamTypes(api, `escrow-${escrowId}`)).toEqual(before);
    expect((await milestoneOf(api, milestoneId)).status).toBe('WAITING');
    // The upload is still free for its own escrow, and file_id with the same key is accepted.
    const ok = await submitProof(
      api,
      key({ storage_key: mine.storage_key, file_id: mine.file_id }),
    );
    expect(ok.statusCode).toBe(201);
  });
});

describe('decisions (D8) and the review queue (§6.1, A8)', () => {
  /** A PENDING document proof on a new kind-less escrow; returns the proof. */
  async function pendingDocument(): Promise<Record<string, any>> {
    const [escrowId] = await fundedWithMilestone(api);
    const file = await upload(api, pdf(), api.keys.provider, 'doc.pdf', 'application/pdf');
    const res = await submitProof(api, {
      escrow_id: escrowId,
      type: 'DOCUMENT',
      file_id: file.file_id,
    });
    expect(res.json()).toMatchObject({ status: 'PENDING' });
    return res.json();
  }
  const decide = (id: string, body: Record<string, unknown>, as = api.keys.client) =>
    api.call('POST', `/proofs/${id}/decision`, as, body);
  const queue = (query: string, as = api.keys.support) =>
    api.call('GET', `/admin/proofs/review-queue${query}`, as);

  it('reads comment as note, and refuses both when they differ, changing nothing', async () => {
    const proof = await pendingDocument();
    const before = await streamTypes(api, `escrow-${proof.escrow_id}`);
    expectErrorEnvelope(
      await decide(proof.id, { decision: 'approve', note: 'a', comment: 'b' }),
      422,
      'VALIDATION_ERROR',
    );
    expect(await streamTypes(api, `escrow-${proof.escrow_id}`)).toEqual(before);
    expect((await api.call('GET', `/proofs/${proof.id}`, api.keys.client)).json().status).toBe(
      'PENDING',
    );
    const res = await decide(proof.id, { decision: 'reject', comment: 'unreadable scan' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      proof_id: proof.id,
      status: 'REJECTED',
      decision_note: 'unreadable scan',
      storage_key: proof.file_id,
    });
    const same = await pendingDocument();
    const both = await decide(
      same.id,
      { decision: 'reject', note: 'same', comment: 'same' },
      api.keys.support,
    );
    expect(both.json()).toMatchObject({ status: 'REJECTED', decision_note: 'same' });
  });

  it('lists PENDING proofs oldest first for support, auditors and admin, with the advisor fields', async () => {
    const first = await pendingDocument();
    const second = await pendingDocument();
    for (const key of [api.keys.support, api.keys.auditor, api.keys.admin]) {
      const res = await queue('?limit=200', key);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page).toMatchObject({ limit: 200, offset: 0, total: page.items.length });
      expect(page.items.every((p: Record<string, any>) => p.status === 'PENDING')).toBe(true);
      const ids = page.items.map((p: Record<string, any>) => p.proof_id);
      expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
      expect(ids.indexOf(first.id)).toBeGreaterThanOrEqual(0);
      const item = page.items.find((p: Record<string, any>) => p.id === first.id);
      expect(item).toMatchObject({
        proof_id: first.id,
        storage_key: first.file_id,
        advisor: null,
        payout_eligible: null,
        payout_blocked_reasons: ['DOCUMENT_REVIEW'],
        review_reasons: ['DOCUMENT_REVIEW'],
      });
    }
    const counted = (await queue('?status=PENDING&limit=1')).json();
    expect(counted.items).toHaveLength(1);
    expect(counted.total).toBe((await queue('?limit=200')).json().total);
  });

  it('filters by status, sender and provider; ignores the advisor parameters', async () => {
    const proof = await pendingDocument();
    expect((await decide(proof.id, { decision: 'approve', note: 'fine' })).statusCode).toBe(200);
    const approved = (await queue('?status=APPROVED&limit=200')).json();
    const item = approved.items.find((p: Record<string, any>) => p.id === proof.id);
    expect(item).toMatchObject({ status: 'APPROVED', payout_blocked_reasons: [] });
    expect(approved.items.every((p: Record<string, any>) => p.status === 'APPROVED')).toBe(true);
    expect((await queue('?limit=200')).json().items.map((p: any) => p.id)).not.toContain(proof.id);

    const all = (await queue('?limit=200')).json();
    expect(all.total).toBeGreaterThan(0);
    const bySender = (await queue(`?limit=200&sender_id=${api.ids.client}`)).json();
    const byProvider = (
      await queue(`?limit=200&provider_id=${api.ids.provider.toUpperCase()}`)
    ).json();
    expect(bySender.total).toBe(all.total);
    expect(byProvider.total).toBe(all.total);
    for (const other of [`sender_id=${api.ids.provider}`, `provider_id=${api.ids.client}`]) {
      expect((await queue(`?${other}`)).json()).toEqual({
        items: [],
        total: 0,
        limit: 50,
        offset: 0,
      });
    }
    const ignored = await queue(
      `?limit=200&advisor_id=nobody&unassigned_only=maybe&review_mode=anything`,
    );
    expect(ignored.statusCode).toBe(200);
    expect(ignored.json().total).toBe(all.total);
  });

  it('refuses senders, bad filters and bad pages', async () => {
    expectErrorEnvelope(await queue('', api.keys.client), 403, 'INSUFFICIENT_SCOPE');
    expectErrorEnvelope(await queue('', api.keys.provider), 403, 'INSUFFICIENT_SCOPE');
    for (const bad of [
      '?sender_id=42',
      '?provider_id=x',
      '?status=OPEN',
      '?limit=0',
      '?limit=201',
      '?offset=-1',
      '?colour=red',
    ]) {
      expectErrorEnvelope(await queue(bad), 422, 'VALIDATION_ERROR');
    }
  });
});
