/**
 * Property of the upload answer (issue 12): whatever text the file's EXIF carried, the view of
 * an upload is well-formed JSON that survives a round trip and keeps the EXIF unchanged.
 */
import fc from 'fast-check';
import type { ProofFileUploadedData } from '@kob/domain';
import { buildProofFile, proofFileInputs } from '@test/event-scenarios';
import { propertyParams } from '@test/hostile-values';
import { viewProblems } from '@test/view-property';
import { proofFileUploadView } from './upload-proof-file.view';

describe('proof file view under arbitrary EXIF', () => {
  it('is well-formed and keeps the EXIF', () => {
    fc.assert(
      fc.property(proofFileInputs, (inputs) => {
        const data = buildProofFile(inputs).appends[0]!.events[0]!.data as ProofFileUploadedData;
        const view = proofFileUploadView(data);
        expect(viewProblems(view)).toEqual([]);
        expect(view.exif).toEqual(inputs.exif);
      }),
      propertyParams(50),
    );
  });
});
