/**
 * Property (issue 12): the audit_log projector applies every event of every domain whatever a
 * client, the PSP, a file or OCR put in it. The harness checks that no projector halts and that
 * each row holds exactly the masked data; here, in addition, every text in the table is
 * well-formed Unicode, and a rebuild from `$all` (what a new version of the masks triggers) gives
 * the same rows.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { anyRunInputs, buildAny, injections } from '@test/event-scenarios';
import { illFormedStrings, propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';
import { auditLogProjection } from './audit-log.projection';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

const rows = async () =>
  (
    await sql<{
      event_id: string;
      data: unknown;
    }>`SELECT event_id, data FROM audit_log ORDER BY position_tx, position_pos`.execute(h.tdb.db)
  ).rows;

describe('audit_log projector under arbitrary input of every domain', () => {
  it('never halts, stores only well-formed masked data, and rebuilds to the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(anyRunInputs, injections, async (run, injection) => {
        const recorded = await h.project(buildAny(run), injection);
        const stored = await sql<{ data: unknown; actor: unknown; correlation_id: string | null }>`
          SELECT data, actor, correlation_id FROM audit_log WHERE event_id = ANY(${recorded.map((e) => e.id)}::uuid[])`.execute(
          h.tdb.db,
        );
        expect(stored.rows).toHaveLength(recorded.length);
        expect(illFormedStrings(stored.rows)).toEqual([]);
      }),
      propertyParams(15),
    );
    const before = await rows();
    await h.runner.rebuild(auditLogProjection);
    expect(await rows()).toEqual(before);
  });
});
