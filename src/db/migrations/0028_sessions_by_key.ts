import { sql, type Kysely } from 'kysely';

// Frozen: migrations never import application code.
// A sign-in trims its key's sessions to the newest 64 (SESSIONS_PER_KEY): without an index of
// the key's sessions by age, each sign-in walked the whole sessions table, every key's.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('sessions_key_created').on('sessions').columns(['key_hash', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sessions_key_created`.execute(db);
}
