import type { Committed } from '../../http/committed';
import { SpendCommand } from '../shared/spend-command';
import type { AllowUsageBody } from './allow-usage.request';

export interface AllowStatus {
  status: 'added' | 'exists';
}

/** Support allows an owner one merchant or one category (nothing appended if already allowed). */
export class AllowUsageCommand extends SpendCommand<AllowUsageBody, Committed<AllowStatus>> {}
