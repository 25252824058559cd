/**
 * The audit routes end to end (API-RULES.md §1, §6): `GET /audit/events` lists the masked
 * audit_log in `$all` order with its filters (stream, type, actor prefix, after a position) and
 * pagination; `GET /audit/streams/{streamId}` shows one stream's raw events with metadata and the
 * verdict of its hash chain, which turns false once a stored row is edited. Access: support and
 * auditors read the masked list, only auditors (and admins) the raw stream, no key is a 401.
 * Keys are the bootstrap admin key and keys it issues through `POST /apikeys`.
 */
import { randomUUID } from 'node:crypto';
import { type NewEvent, type Position, decodePosition, encodePosition } from '@kob/event-store';
import { testMetadata } from '@kob/event-store/testing';
import { type Actor, systemActor } from '@kob/kernel';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';

const ADMIN_KEY = 'koba_a1b2c3.ThisIsTheBootstrapAdminKeyForAuditTests_0123';
const PROJECTION_WAIT_MS = 5000;

interface AuditItem {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  actor: unknown;
  actor_label: string;
  occurred_at: string;
  correlation_id: string | null;
  data: unknown;
}

interface AuditPage {
  items: AuditItem[];
  total: number;
  limit: number;
  offset: number;
}

interface RawEvent {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: string;
}

interface StreamView {
  stream_id: string;
  chain_valid: boolean;
  first_bad_revision: string | null;
  reason: string | null;
  events: RawEvent[];
}

/** An API-key actor that never authenticates: it only labels the events appended below. */
function keyActor(keyPrefix: string): Actor {
  return { kind: 'api_key', keyId: randomUUID(), keyPrefix, scope: 'admin', userId: null };
}

function event(
  type: string,
  data: unknown,
  actor: Actor,
  extra: Record<string, string> = {},
): NewEvent {
  return { id: randomUUID(), type, data, metadata: testMetadata({ actor, ...extra }) };
}

describe('audit routes', () => {
  let t: TestApp;
  const keys = { admin: ADMIN_KEY, support: '', auditor: '', sender: '' };
  const run = randomUUID().slice(0, 8);
  const types = { a: `audittest${run}.a.v1`, b: `audittest${run}.b.v1` };
  // Stream A: three events of two types by two key actors; B: two events; C: PII; T: tampered.
  const streams = {
    a: `audittest-a-${randomUUID()}`,
    b: `audittest-b-${randomUUID()}`,
    pii: `user-${randomUUID()}`,
    tamper: `audittest-t-${randomUUID()}`,
  };
  const ids: Record<string, string[]> = {};
  const piiOccurredAt = '2026-11-24T08:30:00.000Z';

  const get = (url: string, key: string | null) =>
    t.app.inject({ method: 'GET', url, headers: key ? { 'x-api-key': key } : {} });

  async function page(query: string, key = keys.support): Promise<AuditPage> {
    const res = await get(`/audit/events?${query}`, key);
    expect({ query, status: res.statusCode }).toEqual({ query, status: 200 });
    return res.json<AuditPage>();
  }

  async function issueKey(scope: string): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/apikeys',
      headers: { 'x-api-key': ADMIN_KEY },
      payload: { name: `audit test ${scope}`, scope },
    });
    expect({ scope, status: res.statusCode }).toEqual({ scope, status: 201 });
    return res.json<{ key: string }>().key;
  }

  async function append(streamId: string, events: NewEvent[]): Promise<Position> {
    const result = await t.platform.store.appendToStream(streamId, events, {
      expectedRevision: 'no_stream',
    });
    ids[streamId] = events.map((e) => e.id);
    return result.position;
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY } });
    keys.support = await issueKey('support');
    keys.auditor = await issueKey('auditor');
    keys.sender = await issueKey('sender');
    await append(streams.a, [
      event(types.a, { n: 1 }, keyActor('koba_f00d01')),
      event(types.b, { n: 2 }, keyActor('koba_f00d02')),
      event(types.a, { n: 3 }, keyActor('koba_f00d01')),
    ]);
    await append(streams.b, [
      // `_` in a LIKE pattern matches any character: this label must not match `koba_f00d0`.
      event(types.a, { n: 4 }, keyActor('kobaxf00d03')),
      event(types.b, { n: 5 }, systemActor('system:test')),
    ]);
    await append(streams.pii, [
      event(
        types.a,
        {
          username: 'alice',
          email: 'alice@example.com',
          payout: { iban: 'FR76 3000 6000 0112 3456 7890 189', supplier_name: 'ACME Ltd' },
        },
        keyActor('koba_f00d01'),
        { occurredAt: piiOccurredAt, correlationId: 'req-audit-pii' },
      ),
    ]);
    const last = await append(streams.tamper, [
      event(types.a, { amount: '100.00' }, systemActor('system:test')),
      event(types.b, { amount: '50.00' }, systemActor('system:test')),
      event(types.b, { amount: '25.00' }, systemActor('system:test')),
    ]);
    expect(await t.platform.projections.waitFor(last, PROJECTION_WAIT_MS)).toBe(true);
  });
  afterAll(() => t?.close());

  describe('GET /audit/events', () => {
    it('shows an event with its position, actor and times, and its PII masked', async () => {
      const res = await get(`/audit/events?stream=${streams.pii}`, keys.support);
      expect(res.statusCode).toBe(200);
      // Random ids and position tokens are blanked first: one may hold '3456' by chance.
      const shown = res.body.replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|p1\.[A-Za-z0-9_-]+/g,
        '<id>',
      );
      expect(shown).not.toContain('alice@');
      expect(shown).not.toContain('3456');
      expect(shown).not.toContain('ACME');
      const body = res.json<AuditPage>();
      expect(body).toMatchObject({ total: 1, limit: 50, offset: 0 });
      const [item] = body.items;
      expect(Object.keys(item!).sort()).toEqual(
        [
          'actor',
          'actor_label',
          'correlation_id',
          'data',
          'event_id',
          'occurred_at',
          'position',
          'revision',
          'stream_id',
          'type',
        ].sort(),
      );
      const [stored] = await t.platform.store.readStream(streams.pii);
      expect(item).toEqual({
        position: encodePosition(stored!.position),
        event_id: ids[streams.pii]![0],
        stream_id: streams.pii,
        revision: '0',
        type: types.a,
        actor: stored!.metadata.actor,
        actor_label: 'koba_f00d01',
        occurred_at: piiOccurredAt,
        correlation_id: 'req-audit-pii',
        data: {
          username: 'alice',
          email: '***@example.com',
          payout: { iban: '***0189', supplier_name: '***masked***' },
        },
      });
    });

    it('filters by stream, in revision order', async () => {
      const a = await page(`stream=${streams.a}`);
      expect(a.total).toBe(3);
      expect(a.items.map((i) => [i.event_id, i.revision])).toEqual(
        ids[streams.a]!.map((id, n) => [id, String(n)]),
      );
      expect((await page(`stream=audittest-none-${randomUUID()}`)).total).toBe(0);
    });

    it('filters by type', async () => {
      const b = await page(`type=${types.b}`);
      expect(b.items.map((i) => i.event_id)).toEqual([
        ids[streams.a]![1],
        ids[streams.b]![1],
        ids[streams.tamper]![1],
        ids[streams.tamper]![2],
      ]);
      expect(b.total).toBe(4);
    });

    it('filters by actor label prefix, taking the prefix literally', async () => {
      const f00d = await page('actor_prefix=koba_f00d0');
      expect(f00d.items.map((i) => i.event_id)).toEqual([
        ids[streams.a]![0],
        ids[streams.a]![1],
        ids[streams.a]![2],
        ids[streams.pii]![0],
      ]);
      expect((await page('actor_prefix=koba_f00d02')).items.map((i) => i.event_id)).toEqual([
        ids[streams.a]![1],
      ]);
      expect((await page('actor_prefix=koba%25')).total).toBe(0);
      // The bootstrap key was issued by the named system actor; it issued the other keys.
      const bootstrap = await page('actor_prefix=system:bootstrap');
      expect(bootstrap.total).toBeGreaterThan(0);
      expect(bootstrap.items.every((i) => i.actor_label === 'system:bootstrap')).toBe(true);
      const byAdmin = await page('actor_prefix=koba_a1b2c3');
      expect(byAdmin.total).toBeGreaterThan(0);
      expect(byAdmin.items.every((i) => i.actor_label === 'koba_a1b2c3')).toBe(true);
    });

    it('combines filters', async () => {
      const both = await page(`stream=${streams.a}&type=${types.a}&actor_prefix=koba_f00d01`);
      expect(both.items.map((i) => i.event_id)).toEqual([ids[streams.a]![0], ids[streams.a]![2]]);
      expect(both.total).toBe(2);
      expect((await page(`stream=${streams.b}&actor_prefix=koba_f00d0`)).total).toBe(0);
    });

    it('lists only events after from_position', async () => {
      const all = await page(`stream=${streams.a}`);
      const first = all.items[0]!.position;
      const after = await page(`stream=${streams.a}&from_position=${first}`);
      expect(after.items.map((i) => i.event_id)).toEqual(ids[streams.a]!.slice(1));
      expect(after.total).toBe(2);
      const last = all.items[2]!.position;
      expect((await page(`stream=${streams.a}&from_position=${last}`)).total).toBe(0);
      // Across streams too: everything after A's last event includes B, not A.
      const rest = await page(`from_position=${last}&limit=200`);
      const restIds = rest.items.map((i) => i.event_id);
      expect(restIds).toEqual(expect.arrayContaining(ids[streams.b]!));
      expect(restIds.filter((id) => ids[streams.a]!.includes(id))).toEqual([]);
    });

    it('answers in $all order, with positions that go forward', async () => {
      const all = await page('limit=200');
      expect(all.total).toBe(all.items.length);
      const positions = all.items.map((i) => decodePosition(i.position)!);
      for (let i = 1; i < positions.length; i++) {
        const [p, q] = [positions[i - 1]!, positions[i]!];
        expect(p.tx < q.tx || (p.tx === q.tx && p.pos < q.pos)).toBe(true);
      }
      const mine = all.items.map((i) => i.event_id).filter((id) => ids[streams.a]!.includes(id));
      expect(mine).toEqual(ids[streams.a]);
    });

    it('pages with limit and offset', async () => {
      const first = await page(`stream=${streams.a}&limit=2`);
      expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(first.items.map((i) => i.event_id)).toEqual(ids[streams.a]!.slice(0, 2));
      const second = await page(`stream=${streams.a}&limit=2&offset=2`);
      expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
      expect(second.items.map((i) => i.event_id)).toEqual(ids[streams.a]!.slice(2));
      expect((await page(`stream=${streams.a}&offset=3`)).items).toEqual([]);
      expectErrorEnvelope(
        await get('/audit/events?limit=201', keys.support),
        422,
        'VALIDATION_ERROR',
      );
    });

    it.each([
      ['not-a-token'],
      ['p1.!!!'],
      [''],
      [`p1.${Buffer.from('12:x').toString('base64url')}`],
    ])('answers from_position=%s with 400 INVALID_EVENT_POSITION', async (token) => {
      const res = await get(
        `/audit/events?from_position=${encodeURIComponent(token)}`,
        keys.support,
      );
      expectErrorEnvelope(res, 400, 'INVALID_EVENT_POSITION');
    });

    it('refuses an unknown filter and an empty one with 422', async () => {
      const unknown = expectErrorEnvelope(
        await get('/audit/events?actor=x', keys.support),
        422,
        'VALIDATION_ERROR',
      );
      expect(Object.keys(unknown.details?.fields as object)).toEqual(['actor']);
      const empty = expectErrorEnvelope(
        await get('/audit/events?stream=', keys.support),
        422,
        'VALIDATION_ERROR',
      );
      expect(Object.keys(empty.details?.fields as object)).toEqual(['stream']);
    });
  });

  describe('GET /audit/streams/{streamId}', () => {
    it('shows the raw events, PII and metadata included, with chain_valid true', async () => {
      const res = await get(`/audit/streams/${streams.pii}`, keys.auditor);
      expect(res.statusCode).toBe(200);
      const view = res.json<StreamView>();
      const [stored] = await t.platform.store.readStream(streams.pii);
      expect(view).toEqual({
        stream_id: streams.pii,
        chain_valid: true,
        first_bad_revision: null,
        reason: null,
        events: [
          {
            position: encodePosition(stored!.position),
            event_id: stored!.id,
            stream_id: streams.pii,
            revision: '0',
            type: types.a,
            data: {
              username: 'alice',
              email: 'alice@example.com',
              payout: { iban: 'FR76 3000 6000 0112 3456 7890 189', supplier_name: 'ACME Ltd' },
            },
            metadata: JSON.parse(JSON.stringify(stored!.metadata)),
            recorded_at: stored!.recordedAt.toISOString(),
          },
        ],
      });
      expect(view.events[0]!.metadata).toMatchObject({
        actor: { kind: 'api_key', keyPrefix: 'koba_f00d01' },
        correlationId: 'req-audit-pii',
        occurredAt: piiOccurredAt,
        prevHash: '0'.repeat(64),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it('reads every event of a stream, in revision order', async () => {
      const view = (await get(`/audit/streams/${streams.a}`, keys.admin)).json<StreamView>();
      expect(view.chain_valid).toBe(true);
      expect(view.events.map((e) => [e.event_id, e.revision])).toEqual(
        ids[streams.a]!.map((id, n) => [id, String(n)]),
      );
    });

    it('says chain_valid false and names the revision once a stored row was edited', async () => {
      const before = (
        await get(`/audit/streams/${streams.tamper}`, keys.auditor)
      ).json<StreamView>();
      expect(before.chain_valid).toBe(true);
      if (t.eventStoreDouble) {
        // EventStoreDB: the node's stored record edited (as an attacker on its disk would).
        t.eventStoreDouble.log.tamper(streams.tamper, 1n, { amount: '5000.00' });
      } else {
        const client = await t.tdb.pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SET LOCAL session_replication_role = replica');
          await client.query(
            `UPDATE events SET data = '{"amount":"5000.00"}' WHERE stream_id = $1 AND revision = 1`,
            [streams.tamper],
          );
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }
      const res = await get(`/audit/streams/${streams.tamper}`, keys.auditor);
      expect(res.statusCode).toBe(200);
      const after = res.json<StreamView>();
      expect(after).toMatchObject({
        stream_id: streams.tamper,
        chain_valid: false,
        first_bad_revision: '1',
        reason: 'content does not match its hash',
      });
      // The raw route shows what is stored now, the edit included.
      expect(after.events.map((e) => e.data)).toEqual([
        { amount: '100.00' },
        { amount: '5000.00' },
        { amount: '25.00' },
      ]);
    });

    it('answers 404 STREAM_NOT_FOUND for a stream with no events', async () => {
      const res = await get(`/audit/streams/audittest-none-${randomUUID()}`, keys.auditor);
      expectErrorEnvelope(res, 404, 'STREAM_NOT_FOUND');
    });
  });

  describe('access', () => {
    const events = () => `/audit/events?stream=${streams.a}`;
    const stream = () => `/audit/streams/${streams.a}`;

    it('lets support, auditor and admin keys list the masked events, not sender keys', async () => {
      for (const key of [keys.support, keys.auditor, keys.admin]) {
        expect((await get(events(), key)).statusCode).toBe(200);
      }
      expectErrorEnvelope(await get(events(), keys.sender), 403, 'INSUFFICIENT_SCOPE');
    });

    it('lets only auditor and admin keys read a raw stream', async () => {
      expect((await get(stream(), keys.auditor)).statusCode).toBe(200);
      expect((await get(stream(), keys.admin)).statusCode).toBe(200);
      for (const key of [keys.support, keys.sender]) {
        const res = await get(stream(), key);
        expectErrorEnvelope(res, 403, 'INSUFFICIENT_SCOPE');
        expect(res.body).not.toContain(ids[streams.a]![0]);
      }
    });

    it('refuses requests without a key with 401 NO_API_KEY', async () => {
      expectErrorEnvelope(await get(events(), null), 401, 'NO_API_KEY');
      expectErrorEnvelope(await get(stream(), null), 401, 'NO_API_KEY');
      // Before anything else: an unknown stream does not answer 404 to an anonymous caller.
      expectErrorEnvelope(
        await get(`/audit/streams/audittest-none-${run}`, null),
        401,
        'NO_API_KEY',
      );
    });
  });
});
