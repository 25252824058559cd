import { sql, type Kysely } from 'kysely';

/**
 * The spend catalogue's read models, for the paged lists: categories, merchants and the usages
 * each owner is allowed. Owned by the spend projector. Uniqueness (codes, names) is decided by
 * reservation streams, not here: a read model never decides.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE spend_categories (
      id          uuid PRIMARY KEY,
      code        text NOT NULL,
      label       text NOT NULL,
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX spend_categories_created_idx ON spend_categories (created_at, id)`.execute(
    db,
  );
  await sql`
    CREATE TABLE merchants (
      id            uuid PRIMARY KEY,
      name          text NOT NULL,
      category_id   uuid,
      is_certified  boolean NOT NULL,
      created_at    timestamptz NOT NULL,
      updated_at    timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX merchants_created_idx ON merchants (created_at, id)`.execute(db);
  await sql`
    CREATE TABLE usage_allows (
      owner_id     uuid NOT NULL,
      target_kind  text NOT NULL CHECK (target_kind IN ('merchant', 'category')),
      target_id    uuid NOT NULL,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (owner_id, target_kind, target_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE usage_allows`.execute(db);
  await sql`DROP TABLE merchants`.execute(db);
  await sql`DROP TABLE spend_categories`.execute(db);
}
