/** A user's certification, read from its stream; 404 CERTIFICATION_NOT_FOUND if never certified. */
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { certificationDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { certificationNotFound } from '../shared/transfer-errors';
import { certificationStream } from '../shared/transfer-streams';
import { type CertificationRead, certificationStateView } from '../shared/transfers.view';
import { GetCertificationQuery } from './get-certification.query';

@QueryHandler(GetCertificationQuery)
export class GetCertificationHandler implements IQueryHandler<GetCertificationQuery> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ userId }: GetCertificationQuery): Promise<CertificationRead> {
    const { state } = await this.commands.read(certificationStream(userId), certificationDecider);
    if (!state.exists) throw certificationNotFound();
    return certificationStateView(state);
  }
}
