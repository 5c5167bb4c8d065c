import { sql, type Kysely } from 'kysely';
import { columnTypes, isPostgres } from './portable.js';

/** The advisory-lock class of count compaction (`LOCKS.queueCounts` in src/db/dialect.ts). */
const COMPACT_LOCK = 0x7163;

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int } = columnTypes(db);
  // Count changes not yet added into queue_counts, one row per (model, name) and statement; the
  // count is queue_counts.n plus these. Empty on SQLite, whose triggers write queue_counts at once.
  // No foreign key: each insert would look the model up (and lock it for key share).
  await db.schema
    .createTable('queue_count_deltas')
    .addColumn('model_id', int, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('n', int, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('queue_count_deltas_model').on('queue_count_deltas').column('model_id').execute();
  if (!isPostgres(db)) return;

  // PostgreSQL keeps the counts with statement-level triggers over the statement's transition
  // tables: one aggregated row per (model, name) and statement, instead of 0022's two per-row
  // PL/pgSQL calls (a jsonb sum in a transaction-local setting, written at commit), which cost
  // about 13% of ingest. The deltas are only inserted, so no transaction waits for another's count
  // rows and none can deadlock on them: a claim never waits for an open ingest transaction.
  //
  // Whoever gets the model's compaction lock without waiting (pg_try_advisory_xact_lock) moves the
  // committed deltas (and its own) into queue_counts; only compaction writes queue_counts, and
  // one transaction at a time per model, so its row locks keep no one else waiting either.
  await sql
    .raw(
      `create function queue_counts_compact(model bigint) returns void language plpgsql as $$
       begin
         if not pg_try_advisory_xact_lock(${COMPACT_LOCK}, model::integer) then return; end if;
         with gone as (delete from queue_count_deltas where model_id = model returning name, n)
         insert into queue_counts (model_id, name, n)
           select model, name, sum(n) from gone group by name having sum(n) <> 0 order by name
         on conflict (model_id, name) do update set n = queue_counts.n + excluded.n;
       end $$`,
    )
    .execute(db);
  // `changes` holds (model_id, name, d) rows; adds their sums and compacts the models they name.
  const record = (changes: string) => `declare
         models bigint[];
         m bigint;
       begin
         with added as (
           insert into queue_count_deltas (model_id, name, n)
           select model_id, name, sum(d) from (${changes}) c group by model_id, name having sum(d) <> 0
           returning model_id
         )
         select array_agg(distinct model_id) into models from added;
         foreach m in array coalesce(models, '{}') loop
           perform queue_counts_compact(m);
         end loop;
         return null;
       end`;
  const open = (row: string) => `(${row}.status in ('pending', 'leased'))::int`;
  const drift = (row: string) => `(${row}.status in ('pending', 'leased') and ${row}.drift_boost > 0)::int`;
  await sql
    .raw(
      `create function queue_items_counted_insert() returns trigger language plpgsql as $$
       ${record(`
         select model_id, 'status:' || status as name, 1 as d from new_items
         union all
         select model_id, 'open:' || r, 1 from new_items, json_array_elements_text(reasons_json::json) r where ${open('new_items')} = 1
         union all
         select model_id, 'open:drift', 1 from new_items where ${drift('new_items')} = 1`)}
       $$`,
    )
    .execute(db);
  // As 0022: status and reasons change when the status does, the drift reason when either the
  // status or whether the item is boosted does. Other updates (weights, priorities) add nothing.
  await sql
    .raw(
      `create function queue_items_counted_update() returns trigger language plpgsql as $$
       ${record(`
         with changed as (
           select n.model_id, o.status as old_status, n.status, n.reasons_json, ${open('o')} as was_open, ${open('n')} as is_open,
             ${drift('o')} as was_drift, ${drift('n')} as is_drift
           from old_items o join new_items n on n.id = o.id
           where o.status <> n.status or (o.drift_boost > 0) <> (n.drift_boost > 0)
         )
         select model_id, 'status:' || old_status as name, -1 as d from changed where old_status <> status
         union all
         select model_id, 'status:' || status, 1 from changed where old_status <> status
         union all
         select model_id, 'open:' || r, is_open - was_open from changed, json_array_elements_text(reasons_json::json) r where is_open <> was_open
         union all
         select model_id, 'open:drift', is_drift - was_drift from changed where is_drift <> was_drift`)}
       $$`,
    )
    .execute(db);
  await sql`drop trigger queue_items_count_apply on queue_items`.execute(db);
  await sql`drop trigger queue_items_count on queue_items`.execute(db);
  // Transition tables allow one event per trigger and no column list: every update statement of
  // queue_items runs the update trigger once (it adds nothing when no status or boost changed).
  await sql`create trigger queue_items_count_insert after insert on queue_items
    referencing new table as new_items for each statement execute function queue_items_counted_insert()`.execute(db);
  await sql`create trigger queue_items_count_update after update on queue_items
    referencing old table as old_items new table as new_items for each statement execute function queue_items_counted_update()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger queue_items_count_update on queue_items`.execute(db);
    await sql`drop trigger queue_items_count_insert on queue_items`.execute(db);
    await sql`drop function queue_items_counted_update()`.execute(db);
    await sql`drop function queue_items_counted_insert()`.execute(db);
    // What was not compacted yet goes into queue_counts, which 0022's triggers keep alone.
    await sql`insert into queue_counts (model_id, name, n) select model_id, name, sum(n) from queue_count_deltas group by model_id, name
      on conflict (model_id, name) do update set n = queue_counts.n + excluded.n`.execute(db);
    await sql`drop function queue_counts_compact(bigint)`.execute(db);
    await sql`create trigger queue_items_count after insert or update of status, drift_boost on queue_items
      for each row execute function queue_items_count_summed()`.execute(db);
    await sql`create constraint trigger queue_items_count_apply after insert or update of status, drift_boost on queue_items
      deferrable initially deferred for each row execute function queue_counts_apply()`.execute(db);
  }
  await db.schema.dropTable('queue_count_deltas').execute();
}
