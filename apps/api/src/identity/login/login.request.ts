/** The body of `POST /auth/login` (FRONTEND-CONTRACT §3.1; validated, unknown fields refused). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { trim } from '../shared/identity-fields';

/** The scopes a login may ask for: `sender`, `provider` and `user` all mean a user's sender key. */
export const LOGIN_SCOPES = ['sender', 'provider', 'user', 'support', 'admin', 'auditor'] as const;
export type LoginScope = (typeof LOGIN_SCOPES)[number];

export class LoginBody {
  @ApiProperty({ example: 'buyer@acme.example' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'email must not be blank' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ enum: LOGIN_SCOPES, description: "must be the user's role's scope" })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(LOGIN_SCOPES)
  scope?: LoginScope;
}
