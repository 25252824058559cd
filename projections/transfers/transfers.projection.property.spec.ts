/**
 * Property (issue 12): the transfers projector applies every allowlist, certification and
 * transaction event. They hold no free text: what clients choose is amounts (up to 18 integer
 * digits at scale 0, 2 or 3) and the request metadata; no projector halts and the rows keep the
 * amounts exactly.
 */
import fc from 'fast-check';
import { Money } from '@kob/kernel';
import { buildTransfer, injections, transferInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('transfers projector under arbitrary amounts', () => {
  it('never halts and keeps the allowlist, the level and the amount exactly', async () => {
    await fc.assert(
      fc.asyncProperty(transferInputs, injections, async (inputs, injection) => {
        const built = buildTransfer(inputs);
        await h.project(built.appends, injection);
        const tx = await h.tdb.db
          .selectFrom('transactions')
          .select(['amount', 'currency'])
          .where('id', '=', built.transactionId)
          .executeTakeFirstOrThrow();
        const level = await h.tdb.db
          .selectFrom('certifications')
          .select('level')
          .where('user_id', '=', built.receiverId)
          .executeTakeFirstOrThrow();
        const allowed = await h.tdb.db
          .selectFrom('allowlist_entries')
          .select('recipient_id')
          .where('owner_id', '=', built.ownerId)
          .execute();
        expect({
          amount: Money.of(
            String(tx.amount),
            inputs.currency.code,
            inputs.currency.scale,
          ).toString(),
          level: level.level,
          allowed: allowed.length,
        }).toEqual({
          amount: inputs.amount,
          level: inputs.level,
          allowed: inputs.removeAfter ? 0 : 1,
        });
      }),
      propertyParams(10),
    );
  });
});
