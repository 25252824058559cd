/** `GET /certified/{userId}` (KOBATELA-SPEC.md §2.10): a user's certification. */
import { Param } from '@nestjs/common';
import { routeId } from '../../http/route-id';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { certificationNotFound } from '../shared/transfer-errors';
import type { CertificationRead } from '../shared/transfers.view';
import { GetCertificationQuery } from './get-certification.query';

const DESCRIPTION = '{user_id, level, certified_at}; 404 CERTIFICATION_NOT_FOUND';

@ApiController('transfers')
export class GetCertificationController extends QueryController {
  @QueryRoute({
    path: 'certified/:userId',
    dispatches: GetCertificationQuery,
    access: ['support', 'auditor'],
    answers: DESCRIPTION,
  })
  certification(@Param('userId') rawId: string): Promise<CertificationRead> {
    const userId = routeId(rawId, certificationNotFound);
    return this.queryBus.execute(new GetCertificationQuery(userId));
  }
}
