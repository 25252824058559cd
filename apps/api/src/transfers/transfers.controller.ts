import { Controller } from '@nestjs/common';

/** Placeholder: allowlist, certification and restricted transfers (issue 6). */
@Controller()
export class TransfersController {}
