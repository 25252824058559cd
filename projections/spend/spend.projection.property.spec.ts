/**
 * Property (issue 12): the spend catalogue projector applies every category, merchant and usage
 * allow whatever the codes, labels and names hold (any Unicode within their bounds), no
 * projector halts, and the rows keep them as sent.
 */
import fc from 'fast-check';
import { buildCatalogue, catalogueInputs, injections } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('spend projector under arbitrary catalogue names', () => {
  it('never halts and keeps codes, labels and names as sent', async () => {
    await fc.assert(
      fc.asyncProperty(catalogueInputs, injections, async (inputs, injection) => {
        const built = buildCatalogue(inputs);
        await h.project(built.appends, injection);
        const category = await h.tdb.db
          .selectFrom('spend_categories')
          .select(['code', 'label'])
          .where('id', '=', built.categoryId)
          .executeTakeFirstOrThrow();
        const merchant = await h.tdb.db
          .selectFrom('merchants')
          .select(['name', 'is_certified'])
          .where('id', '=', built.merchantId)
          .executeTakeFirstOrThrow();
        const allows = await h.tdb.db
          .selectFrom('usage_allows')
          .select(['target_kind', 'target_id'])
          .where('owner_id', '=', built.ownerId)
          .orderBy('target_kind')
          .execute();
        expect({ category, merchant, allows }).toEqual({
          category: { code: inputs.code, label: inputs.label },
          merchant: { name: inputs.merchantName, is_certified: inputs.certified },
          allows: [
            { target_kind: 'category', target_id: built.categoryId },
            { target_kind: 'merchant', target_id: built.merchantId },
          ],
        });
      }),
      propertyParams(10),
    );
  });
});
