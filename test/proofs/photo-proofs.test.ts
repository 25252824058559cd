/**
 * Photo proofs over HTTP with photos the tests make with real EXIF written by sharp (issue 5):
 * GPS inside, outside and at the edge of a geofence, stale, future, no GPS, no EXIF, no time
 * zone, GPS time only, a local time with its offset; approval at once paying the milestone with
 * its ledger entries; not enough held money keeping the proof in review (B24); duplicates (the
 * same file ever, rejected proofs included) and near-duplicates (a re-encoded, resized,
 * brightened copy is flagged, another scene is not); client metadata that disagrees with the
 * file; claims without a file; the decision paths (reject reopens the milestone: B9).
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { sql } from 'kysely';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { exifTags, makePhoto, nearDuplicate } from '../support/photos';
import { KINSHASA, fundedWithMilestone, submitProof, upload } from '../support/proof-api';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

let scene = 100;
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
const north = (m: number) => ({ lat: KINSHASA.lat + m / 111_195, lng: KINSHASA.lng });
const fence = { ...KINSHASA, radiusM: 100 };

/** A fresh photo of a new scene (each test file uses each scene once: duplicates are refused). */
const photo = (o: Parameters<typeof makePhoto>[0] = {}) =>
  makePhoto({ scene: scene++, gps: KINSHASA, gpsTime: minutesAgo(5), ...o });

async function proofWith(
  bytes: Buffer,
  o: Parameters<typeof fundedWithMilestone>[1] = {},
  metadata?: Record<string, unknown>,
) {
  const [escrowId, milestoneId] = await fundedWithMilestone(api, o);
  const file = await upload(api, bytes);
  const res = await submitProof(api, {
    escrow_id: escrowId,
    file_id: file.file_id,
    ...(metadata ? { metadata } : {}),
  });
  return { escrowId, milestoneId, file, res };
}

const eventCount = async (escrowId: string) =>
  Number(
    (
      await sql<{
        n: string;
      }>`SELECT count(*)::text AS n FROM events WHERE stream_id = ${`escrow-${escrowId}`}`.execute(
        api.t.platform.db,
      )
    ).rows[0]!.n,
  );

describe('photo proofs', () => {
  it('approves a fresh photo inside the geofence at once, pays the milestone and posts the ledger', async () => {
    const { escrowId, res } = await proofWith(await photo(), { fence, extra: '10.00' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'APPROVED', review_reasons: [], flags: [] });
    const s = await api.summary(escrowId);
    expect(s.milestones[0].status).toBe('PAID');
    expect(s.payments).toEqual([
      expect.objectContaining({
        kind: 'payout',
        amount: '40.00',
        status: 'SENT',
        reason: 'proof_approval',
      }),
    ]);
    expect(s.balances).toMatchObject({ paid: '40.00', held: '10.00' });
    const ledger = (await api.call('GET', `/escrows/${escrowId}/ledger`, api.keys.client)).json();
    expect(ledger.entries.items.map((e: { event_type: string }) => e.event_type)).toEqual([
      'escrow.deposit_confirmed.v1',
      'payment.initiated.v1',
      'payment.sent.v1',
    ]);
    expect(ledger.held).toBe('10.00');
  });

  it('refuses a photo outside the geofence plus its tolerance, storing nothing; the edge passes', async () => {
    const outside = await proofWith(await photo({ gps: north(120) }), { fence });
    const before = await eventCount(outside.escrowId);
    const err = expectErrorEnvelope(outside.res, 422, 'GEOFENCE_VIOLATION');
    expect(err.details).toMatchObject({ radius_m: 100, tolerance_m: 15 });
    expect(await eventCount(outside.escrowId)).toBe(before);
    const edge = await proofWith(await photo({ gps: north(110) }), { fence });
    expect(edge.res.json().status).toBe('APPROVED');
  });

  it('refuses stale and future photos, and a photo with no EXIF at all', async () => {
    expectErrorEnvelope(
      (await proofWith(await photo({ gpsTime: minutesAgo(180) }))).res,
      422,
      'STALE_TIMESTAMP',
    );
    expectErrorEnvelope(
      (await proofWith(await photo({ gpsTime: minutesAgo(-10) }))).res,
      422,
      'FUTURE_TIMESTAMP',
    );
    expectErrorEnvelope(
      (await proofWith(await photo({ exif: false }))).res,
      422,
      'MISSING_EXIF_TIMESTAMP',
    );
  });

  it('reviews a geofenced photo without GPS and a time without a zone, never assuming UTC', async () => {
    const noGps = await proofWith(await photo({ gps: null }), { fence });
    expect(noGps.res.json()).toMatchObject({ status: 'PENDING', review_reasons: ['MISSING_GPS'] });
    expect((await api.summary(noGps.escrowId)).milestones[0].status).toBe('PENDING_REVIEW');
    // A camera that knows no zone: its wall clock could be anywhere on earth.
    const naive = await proofWith(
      await photo({ gpsTime: null, capture: { at: minutesAgo(5), offset: null } }),
    );
    expect(naive.res.json()).toMatchObject({
      status: 'PENDING',
      review_reasons: ['MISSING_TIMEZONE'],
    });
  });

  it('reviews an old photo given a fresh GPS time, and refuses a zone-less time stale in every zone', async () => {
    const rewritten = await proofWith(
      await photo({
        gpsTime: minutesAgo(5),
        capture: { at: minutesAgo(730 * 24 * 60), offset: '+01:00' },
      }),
    );
    expect(rewritten.res.json()).toMatchObject({
      status: 'PENDING',
      review_reasons: ['EXIF_TIME_INCONSISTENT'],
      flags: ['exif_time_inconsistent'],
    });
    expectErrorEnvelope(
      (
        await proofWith(
          await photo({ gpsTime: null, capture: { at: minutesAgo(3 * 24 * 60), offset: null } }),
        )
      ).res,
      422,
      'STALE_TIMESTAMP',
    );
  });

  it('trusts GPS time alone, and a local time with its offset (Kinshasa, UTC+1, is not an hour ahead)', async () => {
    expect((await proofWith(await photo())).res.json().status).toBe('APPROVED');
    const local = await proofWith(
      await photo({ gpsTime: null, capture: { at: minutesAgo(5), offset: '+01:00' } }),
    );
    expect(local.res.json()).toMatchObject({ status: 'APPROVED' });
  });

  it('keeps a clean proof in review when the escrow cannot pay yet, and pays it on approval later', async () => {
    const { escrowId, res } = await proofWith(await photo(), {
      amount: '40.00',
      deposit: '30.00',
      extra: '10.00',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'PENDING',
      review_reasons: ['INSUFFICIENT_ESCROW_BALANCE'],
    });
    const proofId = res.json().id;
    expectErrorEnvelope(
      await api.call('POST', `/proofs/${proofId}/decision`, api.keys.client, {
        decision: 'approve',
      }),
      409,
      'INSUFFICIENT_ESCROW_BALANCE',
    );
    expect((await api.call('GET', `/proofs/${proofId}`, api.keys.client)).json().status).toBe(
      'PENDING',
    );
    await api.deposit(escrowId, '20.00');
    const approved = await api.call('POST', `/proofs/${proofId}/decision`, api.keys.client, {
      decision: 'approved',
    });
    expect(approved.json()).toMatchObject({
      status: 'APPROVED',
      ai_reviewed_by: expect.stringMatching(/^koba_/),
    });
    expect((await api.summary(escrowId)).milestones[0].status).toBe('PAID');
  });

  it('refuses a file used by any proof before, rejected ones included', async () => {
    const bytes = await photo({ gps: null });
    const first = await proofWith(bytes, { fence });
    expect(first.res.json().status).toBe('PENDING');
    const rejected = await api.call(
      'POST',
      `/proofs/${first.res.json().id}/decision`,
      api.keys.client,
      { decision: 'reject', note: 'no GPS' },
    );
    expect(rejected.json().status).toBe('REJECTED');
    const [other] = await fundedWithMilestone(api);
    const again = await upload(api, bytes);
    expectErrorEnvelope(
      await submitProof(api, { escrow_id: other, file_id: again.file_id }),
      409,
      'PROOF_DUPLICATE',
    );
    // The same bytes as a claim (storage_url + sha256) are the same file.
    expectErrorEnvelope(
      await submitProof(api, {
        escrow_id: other,
        storage_url: 'https://files.example.org/a.jpg',
        sha256: first.file.sha256,
        metadata: {},
      }),
      409,
      'PROOF_DUPLICATE',
    );
  });

  it('pays one photo once when two submissions race with one Idempotency-Key for two escrows', async () => {
    const [a] = await fundedWithMilestone(api);
    const [b] = await fundedWithMilestone(api);
    const file = await upload(api, await photo());
    const headers = { 'idempotency-key': `race-${randomUUID()}` };
    const answers = await Promise.all(
      [a, b].map((escrow_id) =>
        submitProof(api, { escrow_id, file_id: file.file_id }, api.keys.provider, headers),
      ),
    );
    const lost = answers.find((r) => r.statusCode !== 201)!;
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(1);
    // Refused as the key's other request or as the file already used, whichever check is first.
    expect([
      `${lost.statusCode} IDEMPOTENCY_KEY_REUSED`,
      `${lost.statusCode} PROOF_DUPLICATE`,
    ]).toContain(`${lost.statusCode} ${lost.json().error.code}`);
    expect([422, 409]).toContain(lost.statusCode);
    const paid = await Promise.all([a, b].map(async (id) => (await api.summary(id)).balances.paid));
    expect(paid.sort()).toEqual(['0.00', '40.00']);
  });

  it('flags a re-encoded, resized, brightened copy of an earlier photo, but not another scene', async () => {
    const options = { gps: KINSHASA, gpsTime: minutesAgo(5) };
    const original = await makePhoto({ scene: 900, ...options });
    const first = (await proofWith(original)).res.json();
    expect(first.status).toBe('APPROVED');
    const copy = await sharp(await nearDuplicate(original))
      .withExif(exifTags(options))
      .jpeg()
      .toBuffer();
    const flagged = await proofWith(copy);
    expect(flagged.res.json()).toMatchObject({
      status: 'PENDING',
      flags: ['possible_duplicate'],
      review_reasons: ['POSSIBLE_DUPLICATE'],
      near_duplicate_of: first.id,
    });
    expect(flagged.res.json().evidence).toMatchObject({
      source: 'file',
      captureTimeSource: 'gps',
      gps: options.gps,
    });
    const otherScene = await proofWith(await makePhoto({ scene: 901, ...options }));
    expect(otherScene.res.json()).toMatchObject({ status: 'APPROVED', flags: [] });
    // A mirrored copy, and the same pixels with another EXIF orientation, are flagged too.
    const mirrored = await sharp(original).flop().withExif(exifTags(options)).jpeg().toBuffer();
    expect((await proofWith(mirrored)).res.json()).toMatchObject({
      status: 'PENDING',
      flags: ['possible_duplicate'],
    });
    const reoriented = await makePhoto({ scene: 900, ...options, orientation: 6 });
    expect((await proofWith(reoriented)).res.json()).toMatchObject({
      status: 'PENDING',
      flags: ['possible_duplicate'],
    });
  });

  it('reviews a proof whose client metadata disagrees with the file, and flags it', async () => {
    const { res } = await proofWith(
      await photo(),
      {},
      { gps_lat: 48.8566, gps_lng: 2.3522, source: 'app' },
    );
    expect(res.json()).toMatchObject({
      status: 'PENDING',
      flags: ['client_metadata_mismatch'],
      review_reasons: ['CLIENT_METADATA_MISMATCH'],
    });
    // Client metadata that agrees is fine (an `ai_assessment` the client sends is dropped).
    const agreeing = await proofWith(
      await photo(),
      {},
      { gps_lat: KINSHASA.lat, gps_lng: KINSHASA.lng, ai_assessment: { risk_level: 'clean' } },
    );
    expect(agreeing.res.json()).toMatchObject({ status: 'APPROVED' });
    expect(agreeing.res.json().metadata).toEqual({ gps_lat: KINSHASA.lat, gps_lng: KINSHASA.lng });
  });

  it('treats metadata without a file as a claim for review', async () => {
    // A PHOTO milestone: on a kind-less one a photo needs an upload (A6, kindless-proofs.test.ts).
    const [escrowId] = await fundedWithMilestone(api, { proofKind: 'PHOTO' });
    const sha256 = randomUUID().replace(/-/g, '').repeat(2);
    const res = await submitProof(api, {
      escrow_id: escrowId,
      storage_url: 'https://files.example.org/proofs/claim.jpg',
      sha256,
      metadata: {
        exif_timestamp: minutesAgo(5).toISOString(),
        gps_lat: KINSHASA.lat,
        gps_lng: KINSHASA.lng,
        source: 'app',
      },
    });
    expect(res.json()).toMatchObject({
      status: 'PENDING',
      review_reasons: ['UNVERIFIED_METADATA'],
      file_id: null,
      sha256,
    });
    // A stale claim is refused like a stale file.
    const [second] = await fundedWithMilestone(api, { proofKind: 'PHOTO' });
    const stale = await submitProof(api, {
      escrow_id: second,
      storage_url: 'https://x.example/a.jpg',
      sha256: 'e'.repeat(64),
      metadata: { exif_timestamp: minutesAgo(500).toISOString() },
    });
    expectErrorEnvelope(stale, 422, 'STALE_TIMESTAMP');
  });

  it('reject returns the milestone to WAITING and a new proof then pays it (B9); repeats and conflicts', async () => {
    const { escrowId, res } = await proofWith(await photo({ gps: null }), { fence });
    const id = res.json().id;
    const rejected = await api.call('POST', `/proofs/${id}/decision`, api.keys.client, {
      decision: 'reject',
      note: 'blurry',
    });
    expect(rejected.json()).toMatchObject({ status: 'REJECTED', decision_note: 'blurry' });
    expect(
      (
        await api.call('POST', `/proofs/${id}/decision`, api.keys.client, { decision: 'rejected' })
      ).json().status,
    ).toBe('REJECTED');
    expectErrorEnvelope(
      await api.call('POST', `/proofs/${id}/decision`, api.keys.client, { decision: 'approve' }),
      409,
      'PROOF_ALREADY_REJECTED',
    );
    expect((await api.summary(escrowId)).milestones[0].status).toBe('WAITING');
    const file = await upload(api, await photo());
    const second = await submitProof(api, { escrow_id: escrowId, file_id: file.file_id });
    expect(second.json().status).toBe('APPROVED');
    expectErrorEnvelope(
      await api.call('POST', `/proofs/${second.json().id}/decision`, api.keys.client, {
        decision: 'reject',
      }),
      409,
      'PROOF_ALREADY_APPROVED',
    );
    expectErrorEnvelope(
      await api.call('POST', `/proofs/${second.json().id}/decision`, api.keys.client, {
        decision: 'maybe',
      }),
      422,
      'VALIDATION_ERROR',
    );
  });

  it('refuses proofs on a closed escrow, for another milestone than the open one, or one in review', async () => {
    const [escrowId] = await fundedWithMilestone(api);
    await api.call('POST', `/escrows/${escrowId}/client-reject`, api.keys.client);
    const file = await upload(api, await photo());
    expectErrorEnvelope(
      await submitProof(api, { escrow_id: escrowId, file_id: file.file_id }),
      409,
      'ESCROW_CLOSED',
    );
    const pending = await proofWith(await photo({ gps: null }), { fence });
    const another = await upload(api, await photo());
    expectErrorEnvelope(
      await submitProof(api, { escrow_id: pending.escrowId, file_id: another.file_id }),
      409,
      'MILESTONE_NOT_WAITING',
    );
    expectErrorEnvelope(
      await submitProof(api, {
        escrow_id: pending.escrowId,
        file_id: another.file_id,
        milestone_idx: 2,
      }),
      404,
      'MILESTONE_NOT_FOUND',
    );
    // The client's release pays the milestone and supersedes the proof in review.
    const released = await api.release(pending.milestoneId);
    expect(released.json()).toMatchObject({ status: 'SENT' });
    expect(
      (await api.call('GET', `/proofs/${pending.res.json().id}`, api.keys.support)).json().status,
    ).toBe('SUPERSEDED');
  });
});
