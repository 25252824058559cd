/**
 * Proof file decider: a file record is written once, when its upload is accepted, and never
 * changes (the bytes are immutable; who may see them is decided from the record and, later,
 * from the proofs that use it). `decide` checks that the record is self-consistent (an image
 * has dimensions and a perceptual hash, a PDF has pages), so no malformed record reaches the
 * stream whatever the caller got wrong.
 */
import { DomainError } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertNew, decideByType } from '../decider-kit';
import type { ProofFileCommand, UploadProofFile } from './proof-file.commands';
import type {
  ProofFileEvent,
  ProofFileKind,
  ProofFileMime,
  ProofFileUploadedData,
} from './proof-file.events';

export interface ProofFileState {
  exists: boolean;
  /** The record as uploaded; null until then. */
  file: ProofFileUploadedData | null;
}

const SHA256 = /^[0-9a-f]{64}$/;
const PHASH = /^[0-9a-f]{16}$/;
const KIND_OF: Record<ProofFileMime, ProofFileKind> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/heic': 'image',
  'application/pdf': 'pdf',
};

const invalid = (field: string, message: string) =>
  new DomainError('VALIDATION_ERROR', `${field} ${message}`, 'invalid', {
    fields: { [field]: [message] },
  });

const positiveInt = (n: number | null): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

function checkUpload(c: UploadProofFile): void {
  if (!SHA256.test(c.sha256)) throw invalid('sha256', 'must be 64 lower-case hex characters');
  if (!positiveInt(c.size)) throw invalid('size', 'must be a positive whole number of bytes');
  const kind = KIND_OF[c.mime];
  if (kind === undefined) throw invalid('mime', 'is not a supported proof file type');
  if (c.kind !== kind) throw invalid('kind', `must be ${kind} for ${c.mime}`);
  if (kind === 'image') {
    if (!positiveInt(c.width) || !positiveInt(c.height))
      throw invalid('width', 'an image needs its width and height');
    if (c.pageCount !== null) throw invalid('pageCount', 'an image has no pages');
    if (c.phash === null || !PHASH.test(c.phash))
      throw invalid('phash', 'an image needs a 16-hex-digit perceptual hash');
  } else {
    if (!positiveInt(c.pageCount)) throw invalid('pageCount', 'a PDF needs at least one page');
    if (c.width !== null || c.height !== null || c.phash !== null)
      throw invalid('kind', 'a PDF has no pixel size or perceptual hash');
  }
}

export const proofFileDecider: Decider<ProofFileState, ProofFileCommand, ProofFileEvent> = {
  category: 'proof-file',
  initialState: () => ({ exists: false, file: null }),
  evolve(state, event) {
    switch (event.type) {
      case 'proof_file.uploaded.v1':
        return { exists: true, file: event.data };
      default:
        return state;
    }
  },
  decide: decideByType(
    {
      UploadProofFile(command, state) {
        assertNew(state, 'PROOF_FILE_EXISTS', 'file record');
        checkUpload(command);
        const { type: _type, now, ...data } = command;
        return [{ type: 'proof_file.uploaded.v1', data: { ...data, uploadedAt: now } }];
      },
    },
    'proof file command',
  ),
};
