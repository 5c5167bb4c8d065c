import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // A claim takes the queue lock and then reads the model's expired leases and the labeler's
  // own, in one round trip (as queue_lock_newer_items does for ingest): the query of a volatile
  // function takes its snapshot after the lock is granted, so it sees what the previous holder
  // committed. The lock is held a round trip less, and ingest batches and other claims wait less.
  await sql
    .raw(
      `create function queue_lock_claim_leases(lock_class integer, model integer, who text, at text)
       returns table (id bigint, item_id bigint, labeler text, expires_at text)
       language plpgsql volatile set plan_cache_mode = force_custom_plan as $$
       #variable_conflict use_column
       begin
         perform pg_advisory_xact_lock(lock_class, model);
         return query
           select l.id, l.item_id, l.labeler, l.expires_at
           from queue_leases l join queue_items i on i.id = l.item_id
           where l.model_id = model and (l.expires_at <= at or l.labeler = who)
           order by i.priority desc, i.id;
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) await sql`drop function queue_lock_claim_leases(integer, integer, text, text)`.execute(db);
}
