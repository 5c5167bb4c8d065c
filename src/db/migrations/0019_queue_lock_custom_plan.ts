import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // PL/pgSQL switches to a generic plan after five calls. Without the value of after_id, that plan
  // proved "no newer item" by walking every item of the model (ingest batches of 20 went from
  // 18 ms to 44 ms at 100k pending items); a custom plan walks the primary key from after_id.
  await sql`alter function queue_lock_newer_items(integer, integer, bigint) set plan_cache_mode = force_custom_plan`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await sql`alter function queue_lock_newer_items(integer, integer, bigint) reset plan_cache_mode`.execute(db);
}
