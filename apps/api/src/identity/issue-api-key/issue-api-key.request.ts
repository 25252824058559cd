/** The body of `POST /apikeys` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { OptionalOrNull } from '../../http/dto-fields';
import { VISIBLE_TEXT } from '../identity-text';
import { API_KEY_DAYS_VALID_MAX, SCOPES, trim } from '../shared/identity-fields';

export class CreateApiKeyBody {
  @ApiProperty({ example: 'back office' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'name must not be blank' })
  @MaxLength(100)
  @Matches(VISIBLE_TEXT, { message: 'name must not contain control or invisible characters' })
  name!: string;

  @ApiProperty({ enum: SCOPES })
  @IsIn(SCOPES)
  scope!: (typeof SCOPES)[number];

  @ApiPropertyOptional({ default: 90, nullable: true, description: 'null: never expires' })
  @OptionalOrNull()
  @IsInt()
  @Min(1)
  @Max(API_KEY_DAYS_VALID_MAX)
  days_valid?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalOrNull()
  @IsUUID()
  user_id?: string | null;
}
