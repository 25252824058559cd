import { Controller } from '@nestjs/common';

/** Placeholder: usage mandates (issue 6). */
@Controller('mandates')
export class MandatesController {}
