/** `GET /certified/{userId}` (KOBATELA-SPEC.md §2.10): a user's certification. */
import { Param } from '@nestjs/common';
import { routeId } from '../../http/route-id';
import { QueryController, ReadRoute, TransfersController } from '../shared/routes';
import { certificationNotFound } from '../shared/transfer-errors';
import type { CertificationRead } from '../shared/transfers.view';
import { GetCertificationQuery } from './get-certification.query';

const DESCRIPTION = '{user_id, level, certified_at}; 404 CERTIFICATION_NOT_FOUND';

@TransfersController()
export class GetCertificationController extends QueryController {
  @ReadRoute('certified/:userId', GetCertificationQuery, DESCRIPTION)
  certification(@Param('userId') rawId: string): Promise<CertificationRead> {
    const userId = routeId(rawId, certificationNotFound);
    return this.queryBus.execute(new GetCertificationQuery(userId));
  }
}
