/** Request bodies and queries of the allowlist, certification and transaction routes. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { type CertificationLevel, certificationLevels } from '@kob/domain';
import { PageQuery } from '../http/pagination';
import { AmountField } from '../http/dto-fields';

const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;

export class AllowlistBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  owner_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  recipient_id!: string;
}

export class AllowlistQuery extends PageQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  owner_id!: string;
}

export class AllowlistEntryQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  owner_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  recipient_id!: string;
}

export class CertifyBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  user_id!: string;

  @ApiProperty({ enum: certificationLevels, description: 'case-insensitive' })
  @Transform(upper)
  @IsIn(certificationLevels)
  level!: CertificationLevel;
}

export class TransactionBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  sender_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  receiver_id!: string;

  @AmountField({ example: '25.00', description: 'decimal string at the currency scale, > 0' })
  amount!: string;

  @ApiPropertyOptional({ example: 'USD', default: 'USD', description: 'one of CURRENCIES' })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(3)
  currency?: string;
}

export class TransactionListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sender_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  receiver_id?: string;
}
