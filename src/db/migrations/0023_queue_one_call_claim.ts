import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // A claim by priority as one call, one transaction on the server, instead of about six round
  // trips (the release of expired leases, BEGIN, the labeler's lock and leases, the renewal, the
  // lease statement, COMMIT): on a busy service each round trip also waits its turn on the event
  // loop. The same steps in the same order as before:
  // - the labeler's lock (their labels take it too), so a claim never hands out an item its
  //   labeler is labeling, and the labeler's claims run one at a time;
  // - the model's expired leases given back (`queue_release_expired`: under the lease-expiry lock,
  //   passing over rows others hold), only when there are any, so claims do not queue on that lock;
  // - the labeler's live leases, best item first: the first `wanted` renewed and returned;
  // - fresh items by `lease_sql` (the repository's lease statement, its limit as $1), in up to
  //   three rounds, as a candidate can be lost to a concurrent claim; a claim that has taken
  //   nothing and finds every candidate row-locked (a drift boost raising them all) runs
  //   `lease_sql_waiting` (the same without SKIP LOCKED) instead of answering empty, unless it
  //   holds item rows itself (it gave expired leases back), which could deadlock;
  // - the renewals last, so the claim holds no lease row while it may wait for item rows.
  // Rows: the renewed items, then the fresh ones, with the columns a claim hands out.
  await sql
    .raw(
      `create function queue_claim(lease_class integer, labeler_class integer, labeler_key integer, model bigint, who text,
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
         released integer := 0;
       begin
         perform pg_advisory_xact_lock(labeler_class, labeler_key);
         if exists (select 1 from queue_leases l where l.model_id = model and l.expires_at <= at) then
           released := queue_release_expired(lease_class, model::integer, at, derived_status);
         end if;
         select coalesce(array_agg(l.id order by i.priority desc, i.id), '{}') into live
           from queue_leases l join queue_items i on i.id = l.item_id
           where l.model_id = model and l.labeler = who and l.expires_at > at;
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
           if n = 0 and got = 0 and released = 0 then
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
  if (isPostgres(db)) await sql`drop function queue_claim(integer, integer, integer, bigint, text, text, text, integer, integer, text, text, text)`.execute(db);
}
