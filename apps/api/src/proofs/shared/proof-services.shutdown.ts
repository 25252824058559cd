/** Stops the proof services' workers (the OCR engine) when the application closes. */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ProofServices } from './proof-services';
import { PROOFS } from '../../tokens';

@Injectable()
export class ProofServicesShutdown implements OnModuleDestroy {
  constructor(@Inject(PROOFS) private readonly proofs: ProofServices | undefined) {}

  async onModuleDestroy(): Promise<void> {
    await this.proofs?.close();
  }
}
