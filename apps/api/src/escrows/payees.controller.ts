import { Controller } from '@nestjs/common';

/** Placeholder: allowed payees and usage spend (issue 6). */
@Controller()
export class PayeesController {}
