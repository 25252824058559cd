/**
 * Property (issue 12): the api_keys projector (which authentication reads) applies every issue and
 * revocation whatever the key's name holds, no projector halts, and the row keeps the name.
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

describe('api_keys projector under arbitrary key names', () => {
  it('never halts and keeps the name and the revocation', async () => {
    await fc.assert(
      fc.asyncProperty(identityInputs, injections, async (inputs, injection) => {
        const built = buildIdentity(inputs);
        await h.project(built.appends, injection);
        const row = await h.tdb.db
          .selectFrom('api_keys')
          .select(['name', 'scope', 'revoked_at'])
          .where('id', '=', built.keyId)
          .executeTakeFirstOrThrow();
        expect({ name: row.name, scope: row.scope, revoked: row.revoked_at !== null }).toEqual({
          name: inputs.keyName,
          scope: inputs.scope,
          revoked: inputs.revoke,
        });
      }),
      propertyParams(10),
    );
  });
});
