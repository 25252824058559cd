/** The body of `POST /transactions`: sender, receiver, amount and (optional) currency. */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { AmountField } from '../../http/dto-fields';
import { UuidField } from '../shared/uuid-fields';

export class TransactionBody {
  @UuidField()
  sender_id!: string;

  @UuidField()
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
