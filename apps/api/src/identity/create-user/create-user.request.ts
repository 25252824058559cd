/** The body of `POST /users` (validated; unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { USER_ROLES, type UserRole } from '@kob/domain';
import { COMPACT_TEXT } from '../identity-text';
import { PUBLIC_TAGS, trim } from '../shared/identity-fields';

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

  @ApiPropertyOptional({
    enum: USER_ROLES,
    default: 'user',
    description: 'What the user gets at email login (admin only): user → a sender key',
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(USER_ROLES)
  role?: UserRole;
}
