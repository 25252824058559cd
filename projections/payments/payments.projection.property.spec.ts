/**
 * Property (issue 12): the payments projector applies every payment and deposit event whatever
 * the PSP and the client put in their free-form fields (PSP references, decline and failure
 * reasons, payee refs as beneficiaries, spend notes, webhook event ids), no projector halts, and
 * the rows keep those values exactly.
 */
import fc from 'fast-check';
import { buildEscrow, escrowInputs, injections } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('payments projector under arbitrary PSP and client input', () => {
  it('never halts and keeps references and reasons as sent', async () => {
    await fc.assert(
      fc.asyncProperty(escrowInputs, injections, async (inputs, injection) => {
        const built = buildEscrow(inputs);
        await h.project(built.appends, injection);
        const payments = await h.tdb.db
          .selectFrom('payments')
          .select(['id', 'status', 'psp_ref', 'beneficiary_id', 'failure_reason'])
          .where('escrow_id', '=', built.builder.escrowId)
          .execute();
        const byId = new Map(payments.map((p) => [p.id, p]));
        expect(byId.get(built.spendPaymentId)).toEqual({
          id: built.spendPaymentId,
          status: 'SETTLED',
          psp_ref: inputs.sentPspRef,
          beneficiary_id: inputs.payeeRef,
          failure_reason: null,
        });
        expect(byId.get(built.payoutPaymentId)).toMatchObject({
          status: 'FAILED',
          failure_reason: inputs.failureReason,
        });
        const deposits = await h.tdb.db
          .selectFrom('deposits')
          .select(['id', 'status', 'psp_ref'])
          .where('escrow_id', '=', built.builder.escrowId)
          .execute();
        expect(new Map(deposits.map((d) => [d.id, [d.status, d.psp_ref]]))).toEqual(
          new Map([
            [built.depositIds[0], ['FAILED', null]],
            [built.depositIds[1], ['CONFIRMED', inputs.recordedPspRef]],
          ]),
        );
      }),
      propertyParams(10),
    );
  });
});
