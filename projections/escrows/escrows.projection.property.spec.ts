/**
 * Property (issue 12): the escrows projector applies every escrow event whatever a client put in
 * its free-form fields (release_conditions' extra keys and proof_requirements of any JSON shape,
 * milestone labels, notes, proof URLs, payee labels, decline reasons), no projector halts, and the
 * read model keeps those values exactly as the store holds them.
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

describe('escrows projector under arbitrary client input', () => {
  it('never halts and keeps release conditions, labels and requirements as stored', async () => {
    await fc.assert(
      fc.asyncProperty(escrowInputs, injections, async (inputs, injection) => {
        const built = buildEscrow(inputs);
        const recorded = await h.project(built.appends, injection);
        const created = recorded.find((e) => e.type === 'escrow.created.v1')!.data as Record<
          string,
          any
        >;
        const added = recorded.find((e) => e.type === 'milestone.added.v1')!.data as Record<
          string,
          any
        >;
        const escrow = await h.tdb.db
          .selectFrom('escrows')
          .selectAll()
          .where('id', '=', built.builder.escrowId)
          .executeTakeFirstOrThrow();
        expect(escrow.release_conditions).toEqual(created.releaseConditions);
        expect(escrow.deposited).toBe('100.00');
        const milestone = await h.tdb.db
          .selectFrom('milestones')
          .selectAll()
          .where('id', '=', built.milestoneId)
          .executeTakeFirstOrThrow();
        expect({
          label: milestone.label,
          requirements: milestone.proof_requirements,
          status: milestone.status,
        }).toEqual({
          label: inputs.milestoneLabel,
          requirements: added.proofRequirements,
          status: 'PAYING',
        });
      }),
      propertyParams(15),
    );
  });
});
