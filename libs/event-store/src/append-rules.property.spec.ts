/**
 * The chain the writers build (`chainEvents`: one canonical text per event's data and metadata,
 * hashed as written) verifies as an auditor checks it: `verifyChain`, which hashes the parsed
 * stored forms with `eventHash`, accepts it for any data and metadata fast-check makes (dates,
 * undefined members, a stale `hash` or `prevHash` in the metadata), and stores what the JSON
 * round trip of the caller's event gives.
 */
import fc from 'fast-check';
import { propertyParams } from '@test/hostile-values';
import { systemActor } from '@kob/kernel';
import { chainEvents } from './append-rules';
import type { NewEvent, RecordedEvent } from './event-store.port';
import { GENESIS_HASH, verifyChain } from './hash-chain';

const actor = systemActor('system:test');

const json = fc.anything({
  withDate: true,
  withNullPrototype: true,
  withUnicodeString: true,
  maxDepth: 3,
});

const event = fc.record({
  id: fc.uuid(),
  type: fc.constantFrom('escrow.created.v1', 'payment.initiated.v1', 'ünïcode.\u2028.v1'),
  data: json,
  extra: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }),
});

it('what chainEvents writes verifies with eventHash, and is the JSON of what was given', () => {
  fc.assert(
    fc.property(
      fc.array(event, { minLength: 1, maxLength: 4 }),
      fc.string({ maxLength: 20 }),
      (given, streamId) => {
        const events: NewEvent[] = given.map((g) => ({
          id: g.id,
          type: g.type,
          data: g.data,
          metadata: {
            ...g.extra,
            actor,
            commandId: 'c',
            correlationId: 'r',
            causationId: 'c',
            occurredAt: '2026-12-06T00:00:00.000Z',
          },
        }));
        const chain = chainEvents(streamId, events, 0n, GENESIS_HASH);
        const stored: RecordedEvent[] = chain.events.map((e, i) => ({
          id: e.id,
          streamId,
          revision: e.revision,
          type: e.type,
          data: JSON.parse(e.dataJson),
          metadata: JSON.parse(e.metadataJson),
          position: { tx: 1n, pos: BigInt(i) },
          recordedAt: new Date(0),
        }));
        expect(verifyChain(stored)).toEqual({
          valid: true,
          events: events.length,
          headHash: chain.headHash,
        });
        stored.forEach((e, i) => {
          expect(e.data).toEqual(JSON.parse(JSON.stringify(events[i]!.data) ?? 'null'));
          const { prevHash, hash, ...rest } = e.metadata;
          expect(prevHash).toBe(i === 0 ? GENESIS_HASH : stored[i - 1]!.metadata.hash);
          const {
            hash: _h,
            prevHash: _p,
            ...sent
          } = JSON.parse(JSON.stringify(events[i]!.metadata));
          expect(rest).toEqual(sent);
          expect(hash).toMatch(/^[0-9a-f]{64}$/);
        });
      },
    ),
    propertyParams(500),
  );
});

it('chainEvents numbers the events from the first revision given', () => {
  const metadata = {
    actor,
    commandId: 'c',
    correlationId: 'r',
    causationId: 'c',
    occurredAt: 'now',
  };
  const events = [1, 2, 3].map((n) => ({ id: `e${n}`, type: 't', data: { n }, metadata }));
  const chain = chainEvents('s', events, 41n, GENESIS_HASH);
  expect(chain.events.map((e) => e.revision)).toEqual([41n, 42n, 43n]);
  expect(chain.headHash).toBe(JSON.parse(chain.events[2]!.metadataJson).hash);
});
