import type { ProofFileUploadedData } from './proof-file.events';

/** Records an upload the edge has inspected and stored; time and id arrive in the command. */
export interface UploadProofFile extends Omit<ProofFileUploadedData, 'uploadedAt'> {
  type: 'UploadProofFile';
  now: string;
}

export type ProofFileCommand = UploadProofFile;
