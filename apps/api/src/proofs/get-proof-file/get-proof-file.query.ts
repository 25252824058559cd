import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';

/** What `GET /proofs/files/{id}` serves: the bytes and how to label them. */
export interface ProofFilePreview {
  body: Buffer;
  mime: string;
  /** `{id}.pdf` or `{id}.jpg` */
  filename: string;
}

/** An uploaded file's preview, to the uploader, staff or a party of a proof using it. */
export class GetProofFileQuery extends Query<ProofFilePreview> {
  constructor(
    readonly actor: Actor,
    readonly fileId: string,
  ) {
    super();
  }
}
