/** The body of `POST /apikeys` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
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
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(API_KEY_DAYS_VALID_MAX)
  days_valid?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  user_id?: string | null;
}
