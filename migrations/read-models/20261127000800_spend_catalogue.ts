import type { Kysely } from 'kysely';

/** Placeholder: filled by the issue-6 work on this area. */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
