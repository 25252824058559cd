/**
 * Property (issue 12): the mandates projector applies every mandate event. Mandates hold no free
 * text: what clients choose is amounts (up to 18 integer digits at the currency's scale, in
 * currencies of scale 0, 2 and 3) and the request metadata; no projector halts and the rows keep
 * the amounts exactly.
 */
import fc from 'fast-check';
import { Money } from '@kob/kernel';
import { buildMandate, injections, mandateInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('mandates projector under arbitrary amounts', () => {
  it('never halts and keeps totals, purchases and the end state exactly', async () => {
    await fc.assert(
      fc.asyncProperty(mandateInputs, injections, async (inputs, injection) => {
        const built = buildMandate(inputs);
        await h.project(built.appends, injection);
        const { code, scale } = inputs.currency;
        const at = (v: unknown) => Money.of(String(v), code, scale).toString();
        const mandate = await h.tdb.db
          .selectFrom('mandates')
          .select(['total_amount', 'total_spent', 'status'])
          .where('id', '=', built.mandateId)
          .executeTakeFirstOrThrow();
        const purchase = await h.tdb.db
          .selectFrom('purchases')
          .select(['amount'])
          .where('id', '=', built.purchaseId)
          .executeTakeFirstOrThrow();
        expect({
          total: at(mandate.total_amount),
          spent: at(mandate.total_spent),
          status: mandate.status,
          purchase: at(purchase.amount),
        }).toEqual({
          total: inputs.total,
          spent: inputs.spent,
          status: inputs.end === 'consumed' ? 'CONSUMED' : 'EXPIRED',
          purchase: inputs.spent,
        });
      }),
      propertyParams(10),
    );
  });
});
