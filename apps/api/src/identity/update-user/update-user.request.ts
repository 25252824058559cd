/** The body of `PATCH /users/{id}`. */
import { PickType } from '@nestjs/swagger';
import { CreateUserBody } from '../create-user/create-user.request';

/** The fields an admin may change (same rules as on creation). */
export class UpdateUserBody extends PickType(CreateUserBody, [
  'is_active',
  'public_tag',
  'role',
] as const) {}
