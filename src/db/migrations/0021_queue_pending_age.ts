import { sql, type Kysely } from 'kysely';

// Frozen: migrations never import application code.
// Every metrics scrape asks for the age of the model's oldest pending item. Without an index
// that holds pending items by creation time, the database counted and walked every pending
// item of the model (1M items: about 3 s, on the event loop with SQLite) for one number.
// The condition is a literal: a bound parameter (status = ?) cannot prove a partial index's
// condition to SQLite's planner.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('queue_items_pending_age').on('queue_items').columns(['model_id', 'created_at']).where(sql.ref('status'), '=', sql.lit('pending')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists queue_items_pending_age`.execute(db);
}
