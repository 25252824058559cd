/**
 * Property (issue 12): the proof_files projector applies every upload whatever text the file's
 * EXIF carried (make, model, software, times: the uploader chooses the bytes), no projector
 * halts, and the row keeps the EXIF as stored.
 */
import fc from 'fast-check';
import { buildProofFile, injections, proofFileInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { type ProjectorHarness, openProjectorHarness } from '@test/projector-property';

let h: ProjectorHarness;
beforeAll(async () => {
  h = await openProjectorHarness();
});
afterAll(() => h.close());

describe('proof_files projector under arbitrary EXIF', () => {
  it('never halts and keeps the EXIF as stored', async () => {
    await fc.assert(
      fc.asyncProperty(proofFileInputs, injections, async (inputs, injection) => {
        const built = buildProofFile(inputs);
        const [uploaded] = await h.project(built.appends, injection);
        const row = await h.tdb.db
          .selectFrom('proof_files')
          .selectAll()
          .where('id', '=', built.fileId)
          .executeTakeFirstOrThrow();
        expect({
          exif: row.exif,
          size: Number(row.size),
          width: row.width,
          height: row.height,
        }).toEqual({
          exif: (uploaded!.data as Record<string, unknown>).exif,
          size: inputs.size,
          width: inputs.width,
          height: inputs.height,
        });
      }),
      propertyParams(10),
    );
  });
});
