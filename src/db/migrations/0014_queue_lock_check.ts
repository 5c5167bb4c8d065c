import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // Takes the queue lock and then tells whether the model has items above `after_id`, in one
  // round trip. A volatile function's query takes its snapshot after the lock is granted, so it
  // sees every item the previous holder committed; a plain statement would read them as of
  // before its wait. Ingest holds the lock (and claims wait) a round trip less.
  await sql
    .raw(
      `create function queue_lock_newer_items(lock_class integer, model integer, after_id bigint) returns boolean
       language plpgsql volatile as $$
       begin
         perform pg_advisory_xact_lock(lock_class, model);
         return exists (select 1 from queue_items where model_id = model and id > after_id);
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await sql`drop function queue_lock_newer_items(integer, integer, bigint)`.execute(db);
}
