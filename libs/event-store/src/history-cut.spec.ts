/**
 * The cut shared by `replay --as-of` and `GET /escrows/{id}?as_of=`: which texts name a cut
 * (a position token, an instant with a zone on the calendar) and which events lie within it
 * (a prefix of the stream: at or before the position, recorded at or before the time).
 */
import { type RecordedEvent, encodePosition } from './event-store.port';
import { historyUpTo, parseHistoryCut } from './history-cut';

function event(revision: number, tx: number, recordedAt: string): RecordedEvent {
  return {
    id: `e${revision}`,
    streamId: 'escrow-1',
    revision: BigInt(revision),
    type: 'escrow.created.v1',
    data: {},
    metadata: {} as RecordedEvent['metadata'],
    position: { tx: BigInt(tx), pos: BigInt(revision + 1) },
    recordedAt: new Date(recordedAt),
  };
}

const stream = [
  event(0, 10, '2026-12-01T10:00:00.000Z'),
  event(1, 12, '2026-12-01T10:00:01.000Z'),
  event(2, 15, '2026-12-01T10:00:02.500Z'),
];

describe('parseHistoryCut', () => {
  it('reads a position token as a position', () => {
    const position = { tx: 12n, pos: 2n };
    expect(parseHistoryCut(encodePosition(position))).toEqual({ position });
  });

  it('reads an instant with a zone as a time', () => {
    expect(parseHistoryCut('2026-12-01T11:00:01+01:00')).toEqual({
      time: new Date('2026-12-01T10:00:01Z'),
    });
    expect(parseHistoryCut('2026-12-01T10:00Z')).toEqual({ time: new Date('2026-12-01T10:00Z') });
  });

  it.each([
    'yesterday',
    '',
    '12345',
    'p1.@@@',
    `p2.${Buffer.from('1:1').toString('base64url')}`,
    '2026-12-01T10:00:00',
    '2026-12-01',
    '2026-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
  ])('names no cut with %j', (text) => {
    expect(parseHistoryCut(text)).toBeNull();
  });
});

describe('historyUpTo', () => {
  const revisions = (events: RecordedEvent[]) => events.map((e) => Number(e.revision));

  it('keeps every event without a cut', () => {
    expect(revisions(historyUpTo(stream, null))).toEqual([0, 1, 2]);
  });

  it('keeps the events at or before a position', () => {
    expect(revisions(historyUpTo(stream, { position: { tx: 12n, pos: 2n } }))).toEqual([0, 1]);
    expect(revisions(historyUpTo(stream, { position: { tx: 11n, pos: 99n } }))).toEqual([0]);
    expect(revisions(historyUpTo(stream, { position: { tx: 1n, pos: 1n } }))).toEqual([]);
    expect(revisions(historyUpTo(stream, { position: { tx: 99n, pos: 1n } }))).toEqual([0, 1, 2]);
  });

  it('keeps the events recorded at or before a time', () => {
    const at = (iso: string) => revisions(historyUpTo(stream, { time: new Date(iso) }));
    expect(at('2026-12-01T10:00:01.000Z')).toEqual([0, 1]);
    expect(at('2026-12-01T10:00:02.499Z')).toEqual([0, 1]);
    expect(at('2026-12-01T09:59:59.999Z')).toEqual([]);
    expect(at('2999-01-01T00:00:00Z')).toEqual([0, 1, 2]);
  });
});
