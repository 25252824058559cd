/** `POST /spend/allow` (KOBATELA-SPEC.md §2.9): an owner may use a merchant or a category. */
import { BodyCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { AllowUsageCommand } from './allow-usage.command';
import { AllowUsageBody } from './allow-usage.request';

@ApiController('spend', 'spend')
export class AllowUsageController extends BodyCommandController({
  status: 201,
  path: 'allow',
  access: ['support'],
  answers: '{"status":"added"} or {"status":"exists"} (nothing appended)',
  body: AllowUsageBody,
  command: AllowUsageCommand,
  name: 'allow',
}) {}
