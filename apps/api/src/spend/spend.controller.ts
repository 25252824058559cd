import { Controller } from '@nestjs/common';

/** Placeholder: the spend catalogue and purchases (issue 6). */
@Controller('spend')
export class SpendController {}
