import { sql, type Kysely } from 'kysely';
import { isPostgres } from './portable.js';
import { up as claimLeasesUnderQueueLock } from './0020_queue_lock_claim_leases.js';

/** Where a transaction's count changes wait for its commit: a transaction-local setting. */
const DELTAS = `'driftloop.queue_count_deltas'`;

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // The trigger-kept counts (migration 0002) are added up per transaction and written once, at
  // its commit, in (model, name) order. Before, every item a transaction inserted or changed
  // locked rows such as 'status:pending' until its commit, so a claim waited for the whole
  // ingest transaction that had inserted items, whatever lock it took. Now a claim waits at most
  // for another commit's count rows, and taking them in one order cannot deadlock.
  // A rolled-back statement's changes to the setting roll back with it.
  await sql
    .raw(
      `create function queue_count_delta(d jsonb, model bigint, name text, delta bigint) returns jsonb
       language sql immutable as $$
         select case when delta = 0 then d
           else jsonb_set(d, array[model || ' ' || name], to_jsonb(coalesce((d ->> (model || ' ' || name))::bigint, 0) + delta)) end
       $$`,
    )
    .execute(db);
  const open = (row: 'old' | 'new') => `(${row}.status in ('pending', 'leased'))::int`;
  const drift = (row: 'old' | 'new') => `(${row}.status in ('pending', 'leased') and ${row}.drift_boost > 0)::int`;
  const reasons = (delta: string) => `for r in select json_array_elements_text(new.reasons_json::json) loop
           d := queue_count_delta(d, new.model_id, 'open:' || r, ${delta});
         end loop;`;
  await sql
    .raw(
      `create function queue_items_count_summed() returns trigger language plpgsql as $$
       declare
         d jsonb := coalesce(nullif(current_setting(${DELTAS}, true), ''), '{}')::jsonb;
         r text;
       begin
         if tg_op = 'INSERT' then
           d := queue_count_delta(d, new.model_id, 'status:' || new.status, 1);
           ${reasons(open('new'))}
           d := queue_count_delta(d, new.model_id, 'open:drift', ${drift('new')});
         elsif old.status != new.status then
           d := queue_count_delta(d, new.model_id, 'status:' || old.status, -1);
           d := queue_count_delta(d, new.model_id, 'status:' || new.status, 1);
           ${reasons(`${open('new')} - ${open('old')}`)}
           d := queue_count_delta(d, new.model_id, 'open:drift', ${drift('new')} - ${drift('old')});
         elsif (old.drift_boost > 0) != (new.drift_boost > 0) then
           d := queue_count_delta(d, new.model_id, 'open:drift', ${drift('new')} - ${drift('old')});
         else
           return null;
         end if;
         perform set_config(${DELTAS}, d::text, true);
         return null;
       end $$`,
    )
    .execute(db);
  // The trigger of migration 0002 now runs this function; its own (writing each change at once) stays for `down`.
  await sql`drop trigger queue_items_count on queue_items`.execute(db);
  await sql`create trigger queue_items_count after insert or update of status, drift_boost on queue_items
    for each row execute function queue_items_count_summed()`.execute(db);
  // Deferred: runs at commit, once per changed row; the first run writes the whole sum.
  await sql
    .raw(
      `create function queue_counts_apply() returns trigger language plpgsql as $$
       declare
         d text := nullif(current_setting(${DELTAS}, true), '');
       begin
         if d is null then return null; end if;
         perform set_config(${DELTAS}, '', true);
         insert into queue_counts (model_id, name, n)
           select split_part(key, ' ', 1)::bigint, substr(key, strpos(key, ' ') + 1), value::bigint
           from jsonb_each_text(d::jsonb) where value::bigint <> 0
           order by 1, 2
         on conflict (model_id, name) do update set n = queue_counts.n + excluded.n;
         return null;
       end $$`,
    )
    .execute(db);
  await sql`create constraint trigger queue_items_count_apply after insert or update of status, drift_boost on queue_items
    deferrable initially deferred for each row execute function queue_counts_apply()`.execute(db);

  // A claim takes the lock of its labeler (whose labels take it too) instead of the model's queue
  // lock, and reads the model's expired leases and the labeler's own in the same round trip. The
  // query of a volatile function takes its snapshot after the lock is granted.
  await sql`drop function queue_lock_claim_leases(integer, integer, text, text)`.execute(db);
  await sql
    .raw(
      `create function queue_claim_leases(lock_class integer, labeler_key integer, model integer, who text, at text)
       returns table (id bigint, item_id bigint, labeler text, expires_at text)
       language plpgsql volatile set plan_cache_mode = force_custom_plan as $$
       #variable_conflict use_column
       begin
         perform pg_advisory_xact_lock(lock_class, labeler_key);
         return query
           select l.id, l.item_id, l.labeler, l.expires_at
           from queue_leases l join queue_items i on i.id = l.item_id
           where l.model_id = model and (l.expires_at <= at or l.labeler = who)
           order by i.priority desc, i.id;
       end $$`,
    )
    .execute(db);

  // A claim gives back the model's expired leases before its transaction, in one statement of its
  // own (committed at once): under the lease-expiry lock, so claims that saw expired leases see
  // the items the one before gave back; rows another transaction holds are passed over, not
  // waited for (a later claim gives them back). The status rule comes from the repository that
  // owns it (`derived_status`, an expression over the item's columns).
  await sql
    .raw(
      `create function queue_release_expired(lock_class integer, model integer, at text, derived_status text) returns integer
       language plpgsql volatile set plan_cache_mode = force_custom_plan as $$
       declare
         released bigint[];
       begin
         perform pg_advisory_xact_lock(lock_class, model);
         with expired as (
           select l.id from queue_leases l join queue_items i on i.id = l.item_id
           where l.model_id = model and l.expires_at <= at
           for update of l, i skip locked
         ), gone as (
           delete from queue_leases where id in (select id from expired) returning item_id
         ), slots as (
           update queue_items i set leases_count = greatest(i.leases_count - g.n, 0)
           from (select item_id, count(*) as n from gone group by item_id) g where i.id = g.item_id
           returning i.id
         )
         select coalesce(array_agg(id), '{}') into released from slots;
         if cardinality(released) > 0 then
           execute format('update queue_items set status = %s where id = any($1)', derived_status) using released;
         end if;
         return cardinality(released);
       end $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop function queue_release_expired(integer, integer, text, text)`.execute(db);
  await sql`drop function queue_claim_leases(integer, integer, integer, text, text)`.execute(db);
  await claimLeasesUnderQueueLock(db);
  await sql`drop trigger queue_items_count_apply on queue_items`.execute(db);
  await sql`drop function queue_counts_apply()`.execute(db);
  await sql`drop trigger queue_items_count on queue_items`.execute(db);
  await sql`create trigger queue_items_count after insert or update of status, drift_boost on queue_items
    for each row execute function queue_items_count()`.execute(db);
  await sql`drop function queue_items_count_summed()`.execute(db);
  await sql`drop function queue_count_delta(jsonb, bigint, text, bigint)`.execute(db);
}
