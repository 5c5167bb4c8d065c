import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';
import { up as oneCallClaim } from './0023_queue_one_call_claim.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // The claim of 0023 in the queue's lock order (docs/queue.md, "Lock order on PostgreSQL"): the
  // labeler's live leases are locked right after the labeler's lock, in id order, before anything
  // else. Before, the claim renewed them last, after it had given expired leases back: a queue
  // read, label or renewal on an instance whose clock had passed one of those leases held it
  // (deleting it as expired) while it waited for an expired lease the claim had just given back,
  // and the claim waited for it: a deadlock, answered 500. Now a claim waits for its own leases
  // while it holds no row; one given back meanwhile is not found, so the claim never hands out a
  // lease it does not hold. It waits for locked candidates (`lease_sql_waiting`) only while it
  // holds no row at all: no live lease of its own and no expired lease given back.
  await sql
    .raw(
      `create or replace function queue_claim(lease_class integer, labeler_class integer, labeler_key integer, model bigint, who text,
         at text, expires text, wanted integer, max_leases integer, derived_status text, lease_sql text, lease_sql_waiting text)
       returns table (id bigint, priority double precision, weight bigint, reasons_json text, drift_boost double precision,
         labels_needed bigint, prediction_id text, prediction_seq bigint)
       language plpgsql volatile set plan_cache_mode = force_custom_plan as $$
       #variable_conflict use_column
       declare
         live bigint[];
         held bigint[];
         fresh integer;
         got integer := 0;
         n integer;
         swept boolean := false;
       begin
         perform pg_advisory_xact_lock(labeler_class, labeler_key);
         select coalesce(array_agg(s.id order by s.priority desc, s.item_id), '{}') into live
           from (select l.id, l.item_id, i.priority from queue_leases l join queue_items i on i.id = l.item_id
                 where l.model_id = model and l.labeler = who and l.expires_at > at
                 order by l.id for update of l) s;
         if exists (select 1 from queue_leases l where l.model_id = model and l.expires_at <= at) then
           perform queue_release_expired(lease_class, model::integer, at, derived_status);
           swept := true;
         end if;
         held := live[1:greatest(wanted, 0)];
         if cardinality(held) > 0 then
           return query
             select i.id, i.priority, i.weight, i.reasons_json, i.drift_boost, i.labels_needed, i.prediction_id, i.prediction_seq
             from queue_leases l join queue_items i on i.id = l.item_id
             where l.id = any(held) order by i.priority desc, i.id;
         end if;
         fresh := least(wanted - cardinality(held), max_leases - cardinality(live));
         for round in 1..3 loop
           exit when got >= fresh;
           return query execute lease_sql using fresh - got;
           get diagnostics n = row_count;
           if n = 0 and got = 0 and not swept and cardinality(live) = 0 then
             return query execute lease_sql_waiting using fresh;
             get diagnostics n = row_count;
           end if;
           exit when n = 0;
           got := got + n;
         end loop;
         if cardinality(held) > 0 then
           update queue_leases set expires_at = expires where queue_leases.id = any(held);
         end if;
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop function queue_claim(integer, integer, integer, bigint, text, text, text, integer, integer, text, text, text)`.execute(db);
  await oneCallClaim(db);
}
