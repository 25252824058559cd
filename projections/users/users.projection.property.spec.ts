/**
 * Property (issue 12): the users projector applies every registration and update whatever the
 * username and email hold (any Unicode within their bounds), no projector halts, and the row
 * keeps them as sent.
 */
import fc from 'fast-check';
import { buildIdentity, identityInputs, injections } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('users projector under arbitrary names', () => {
  it('never halts and keeps username and email as sent', async () => {
    await fc.assert(
      fc.asyncProperty(identityInputs, injections, async (inputs, injection) => {
        const built = buildIdentity(inputs);
        await h.project(built.appends, injection);
        const row = await h.tdb.db
          .selectFrom('users')
          .select(['username', 'email', 'is_active'])
          .where('id', '=', built.userId)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({
          username: inputs.username,
          email: inputs.email,
          is_active: !inputs.deactivate,
        });
      }),
      propertyParams(10),
    );
  });
});
