/**
 * Property (issue 12): event_stats counts every event of every domain exactly once whatever the
 * events carry (the harness compares its counts per stream category and type with the run's
 * events), and no projector halts on any of them.
 */
import fc from 'fast-check';
import { anyRunInputs, buildAny, injections } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('event_stats projector under arbitrary input of every domain', () => {
  it('never halts and counts each event once', async () => {
    await fc.assert(
      fc.asyncProperty(anyRunInputs, injections, async (run, injection) => {
        const recorded = await h.project(buildAny(run), injection);
        expect(recorded.length).toBeGreaterThan(0);
      }),
      propertyParams(10),
    );
  });
});
