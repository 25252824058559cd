/** `POST /certified` (KOBATELA-SPEC.md §2.10): admin certifies a user at a level. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { CertifyCommand } from './certify.command';
import { CertifyBody } from './certify.request';

@ApiController('transfers')
export class CertifyController extends BodyCommandController({
  status: 201,
  name: 'certify',
  path: 'certified',
  access: [],
  answers: '{"status":"created"|"updated"|"unchanged"} (unchanged: same level, nothing appended)',
  body: CertifyBody,
  command: CertifyCommand,
}) {}
