import { Controller } from '@nestjs/common';

/** Placeholder: purchases against usage mandates (issue 6). */
@Controller('spend')
export class PurchasesController {}
