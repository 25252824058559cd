/** Request bodies of the users and API key routes (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { COMPACT_TEXT, VISIBLE_TEXT } from './identity-text';
import {
  IsBoolean,
  IsEmail,
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

export const PUBLIC_TAGS = ['GOV', 'ONG', 'private'] as const;
export const SCOPES = ['sender', 'support', 'auditor', 'admin'] as const;
export const API_KEY_DAYS_VALID_MAX = 3650;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateUserBody {
  @ApiProperty({ example: 'acme-buyer' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(COMPACT_TEXT, { message: 'username must not contain spaces or invisible characters' })
  username!: string;

  @ApiProperty({ example: 'buyer@acme.example' })
  @Transform(trim)
  @IsEmail()
  @Matches(COMPACT_TEXT, { message: 'email must not contain invisible characters' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ default: true })
  // Absent means "as it is" (true on creation); null is not a state a user can be in: 422.
  @ValidateIf((_o, v) => v !== undefined)
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ enum: PUBLIC_TAGS, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsIn(PUBLIC_TAGS)
  public_tag?: (typeof PUBLIC_TAGS)[number] | null;
}

/** The two fields an admin may change (same rules as on creation). */
export class UpdateUserBody extends PickType(CreateUserBody, [
  'is_active',
  'public_tag',
] as const) {}

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
