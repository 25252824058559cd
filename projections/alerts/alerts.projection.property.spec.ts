/**
 * Property (issue 12): the alerts projector applies every alert whatever its message and payload
 * carry from the refused request (any text, any JSON shape), no projector halts, and the row
 * keeps both as stored.
 */
import fc from 'fast-check';
import { alertInputs, buildAlert, injections } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('alerts projector under arbitrary payloads', () => {
  it('never halts and keeps message and payload as stored', async () => {
    await fc.assert(
      fc.asyncProperty(alertInputs, injections, async (inputs, injection) => {
        const built = buildAlert(inputs);
        const [raised] = await h.project(built.appends, injection);
        const row = await h.tdb.db
          .selectFrom('alerts')
          .select(['type', 'message', 'payload'])
          .where('id', '=', built.alertId)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({
          type: inputs.type,
          message: inputs.message,
          payload: (raised!.data as Record<string, unknown>).payload,
        });
      }),
      propertyParams(10),
    );
  });
});
