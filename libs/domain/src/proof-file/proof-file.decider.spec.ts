/**
 * The proof file record as given/when/then specs: an upload is recorded once, with what the
 * server read and who uploaded it; a record that does not hold together (an image without a
 * perceptual hash, a PDF without pages, a kind that does not match the type) is refused.
 */
import { deciderSpec } from '../testing/decider-spec';
import type { UploadProofFile } from './proof-file.commands';
import { proofFileDecider } from './proof-file.decider';
import type { ProofFileEvent } from './proof-file.events';

const NOW = '2026-11-27T10:00:00.000Z';
const SHA = 'a'.repeat(64);
const spec = deciderSpec(proofFileDecider);

const photo = (over: Partial<UploadProofFile> = {}): UploadProofFile => ({
  type: 'UploadProofFile',
  fileId: 'f1',
  sha256: SHA,
  size: 1234,
  mime: 'image/jpeg',
  kind: 'image',
  width: 640,
  height: 480,
  pageCount: null,
  phash: '0123456789abcdef',
  exif: {
    gps_lat: -4.32,
    gps_lng: 15.31,
    gps_time: '2026-11-27T09:59:00.000Z',
    capture_time: '2026-11-27T10:59:00',
    capture_offset: '+01:00',
    make: 'Make',
    model: 'Model',
    software: null,
  },
  uploaderUserId: 'u1',
  uploaderKeyId: 'k1',
  now: NOW,
  ...over,
});

const pdf = (over: Partial<UploadProofFile> = {}): UploadProofFile =>
  photo({
    mime: 'application/pdf',
    kind: 'pdf',
    width: null,
    height: null,
    pageCount: 2,
    phash: null,
    exif: null,
    ...over,
  });

function uploaded(command: UploadProofFile): ProofFileEvent {
  const { type: _t, now, ...data } = command;
  return { type: 'proof_file.uploaded.v1', data: { ...data, uploadedAt: now } };
}

describe('proof file decider', () => {
  it('records an upload once, with its uploader and the time from the command', () => {
    spec
      .given([])
      .when(photo())
      .then([uploaded(photo())]);
    spec
      .given([])
      .when(pdf())
      .then([uploaded(pdf())]);
    spec
      .given([uploaded(photo())])
      .when(photo())
      .thenError('PROOF_FILE_EXISTS');
  });

  it('keeps an upload by a key without a user (uploader user null)', () => {
    spec
      .given([])
      .when(photo({ uploaderUserId: null }))
      .then([uploaded(photo({ uploaderUserId: null }))]);
  });

  it('folds the record into the state that POST /proofs reads', () => {
    const state = proofFileDecider.evolve(proofFileDecider.initialState(), uploaded(photo()));
    expect(state).toEqual({ exists: true, file: { ...uploaded(photo()).data } });
    expect(state.file?.uploadedAt).toBe(NOW);
  });

  it('refuses a record that does not hold together', () => {
    spec
      .given([])
      .when(photo({ sha256: 'A'.repeat(64) }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(photo({ size: 0 }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(photo({ kind: 'pdf' }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(photo({ phash: null }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(photo({ width: null }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(photo({ pageCount: 1 }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(pdf({ pageCount: 0 }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(pdf({ phash: '0123456789abcdef' }))
      .thenError('VALIDATION_ERROR');
    spec
      .given([])
      .when(photo({ mime: 'image/gif' as never }))
      .thenError('VALIDATION_ERROR');
  });
});
