import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';
import { up as ownLeasesFirst } from './0027_claim_locks_own_leases_first.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // The claim of 0027, waiting for one locked candidate instead of all it wants. A claim that
  // holds no row and finds every candidate locked waits for them (`lease_sql_waiting`), but that
  // statement took them one by one: having taken the first, it waited for the next while holding
  // the first. A transaction holding the next that then wanted the first (a drift boost raising
  // items in its own order, or a claim whose snapshot ranked them otherwise) closed a cycle, and
  // PostgreSQL answered one of them 40P01 (a 503 to one of 20 concurrent claims in CI). Now it
  // waits for one row, holding none; the rounds after it take the rest `SKIP LOCKED`.
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
             return query execute lease_sql_waiting using 1;
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
  await ownLeasesFirst(db);
}
