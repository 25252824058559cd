import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { ProofFileUploadRead } from './upload-proof-file.view';

/** A received upload (a temporary file the controller removes) to inspect, store and record. */
export class UploadProofFileCommand extends Command<Committed<ProofFileUploadRead>> {
  constructor(
    readonly origin: CommandOrigin,
    /** the temporary file holding the upload */
    readonly uploadPath: string,
    /** the request's method and canonical path, for the idempotency request hash */
    readonly route: { method: string; path: string },
    /** The escrow the upload is for (`POST /files/proofs`' `escrow_id`, A7), or null. */
    readonly escrowId: string | null = null,
  ) {
    super();
  }
}
