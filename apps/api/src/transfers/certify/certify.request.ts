/** The body of `POST /certified`: the user and its level (case-insensitive). */
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn } from 'class-validator';
import { type CertificationLevel, certificationLevels } from '@kob/domain';
import { UuidField } from '../shared/uuid-fields';

const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;

export class CertifyBody {
  @UuidField()
  user_id!: string;

  @ApiProperty({ enum: certificationLevels, description: 'case-insensitive' })
  @Transform(upper)
  @IsIn(certificationLevels)
  level!: CertificationLevel;
}
