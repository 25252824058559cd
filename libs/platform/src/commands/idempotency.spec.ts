/**
 * The seen keys a stream's state keeps (API-RULES.md §4), as compact as they can be: the same
 * entry size whatever the length of the client's key and scope, one entry per command folded
 * from the stored events, and a key sent again with another request refused. (That a runner
 * which cached the key at its append and a fresh one which folds it from the events answer the
 * same is command-runner.spec.ts's repeated-key test.)
 */
import type { RecordedEvent } from '@kob/event-store';
import { keptRequestHash, keptRevision, rememberKey, scopedKey, seenKey } from './idempotency';
import type { CachedStream } from './stream-state-cache';

const scope = 'user:0b8e5a52-4f3c-4c61-9a43-2c1f1d1f6a10|POST /escrows/e1/deposit';
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

function recorded(revision: bigint, metadata: Record<string, unknown>): RecordedEvent {
  return {
    id: `id-${revision}`,
    streamId: 'escrow-e1',
    revision,
    type: 'escrow.deposit_initiated.v1',
    data: {},
    metadata: metadata as RecordedEvent['metadata'],
    position: { tx: revision, pos: revision },
    recordedAt: new Date(0),
  };
}

const stream = (idempotency: CachedStream['idempotency']): CachedStream => ({
  category: 'escrow',
  revision: 0n,
  headHash: undefined,
  position: null,
  state: null,
  idempotency,
});

describe('seen idempotency keys', () => {
  it('keep 22 characters per key and per request hash, whatever the lengths sent', () => {
    const long = '~'.repeat(255);
    for (const key of ['k', long]) {
      expect(scopedKey({ scope, key })).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(scopedKey({ scope: `${scope}/${long}`, key })).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    expect(keptRequestHash(hashOf(1))).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Distinct scopes, keys and hashes stay distinct; the same ones give the same entry.
    const keys = new Set([
      scopedKey({ scope, key: 'a' }),
      scopedKey({ scope, key: 'b' }),
      scopedKey({ scope: scope.replace('e1', 'e2'), key: 'a' }),
      scopedKey({ scope: `${scope}\na`, key: '' }),
    ]);
    expect(keys.size).toBe(4);
    expect(scopedKey({ scope, key: 'a' })).toBe(scopedKey({ scope, key: 'a' }));
    expect(keptRequestHash(hashOf(1))).not.toBe(keptRequestHash(hashOf(2)));
  });

  it('keep revisions as small integers and refuse one they cannot hold exactly', () => {
    expect(keptRevision(7n)).toBe(7);
    expect(() => keptRevision(2n ** 53n)).toThrow(/beyond/);
  });

  it('fold from stored events into one entry per command, and refuse a reused key', () => {
    const map: CachedStream['idempotency'] = new Map();
    const meta = (key: string, hash: string) => ({
      idempotencyKey: key,
      idempotencyScope: scope,
      requestHash: hash,
    });
    // One command's two consecutive events, then another command's event.
    rememberKey(map, recorded(3n, meta('k1', hashOf(1))));
    rememberKey(map, recorded(4n, meta('k1', hashOf(1))));
    rememberKey(map, recorded(5n, meta('k2', hashOf(2))));
    rememberKey(map, recorded(6n, {}));
    expect([...map.values()]).toEqual([
      { requestHash: keptRequestHash(hashOf(1)), fromRevision: 3, toRevision: 4 },
      { requestHash: keptRequestHash(hashOf(2)), fromRevision: 5, toRevision: 5 },
    ]);
    const cached = stream(map);
    expect(seenKey(cached, { scope, key: 'k1', requestHash: hashOf(1) })).toEqual({
      requestHash: keptRequestHash(hashOf(1)),
      fromRevision: 3,
      toRevision: 4,
    });
    expect(seenKey(cached, { scope, key: 'k3', requestHash: hashOf(1) })).toBeUndefined();
    expect(() => seenKey(cached, { scope, key: 'k1', requestHash: hashOf(2) })).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }),
    );
  });
});
