import { sql, type Kysely } from 'kysely';
import { columnTypes, isPostgres } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, real, autoId } = columnTypes(db);
  await db.schema
    .createTable('queue_items')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('prediction_seq', int, (c) => c.notNull().unique().references('predictions.seq'))
    .addColumn('prediction_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('base_priority', real, (c) => c.notNull())
    .addColumn('priority', real, (c) => c.notNull())
    .addColumn('weight', int, (c) => c.notNull().defaultTo(1))
    .addColumn('reasons_json', 'text', (c) => c.notNull())
    .addColumn('drift_boost', real, (c) => c.notNull().defaultTo(0))
    .addColumn('split', 'text', (c) => c.notNull())
    .addColumn('labels_needed', int, (c) => c.notNull())
    .addColumn('labels_count', int, (c) => c.notNull().defaultTo(0))
    .addColumn('out_of_scope_count', int, (c) => c.notNull().defaultTo(0))
    .addColumn('leases_count', int, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('labeled_at', 'text')
    .execute();
  // The claim walks this index from the top: highest priority first, oldest first on ties.
  await sql`create index queue_items_claim on queue_items (model_id, status, priority desc, id)`.execute(db);
  await db.schema.createIndex('queue_items_labeled').on('queue_items').columns(['model_id', 'labeled_at']).execute();
  await sql`create index queue_items_boosted on queue_items (model_id) where drift_boost > 0`.execute(db);

  // Counts by status and by reason of open items, kept by triggers so the queue summary stays
  // O(1) on a queue of millions, whichever statement changes an item.
  await db.schema
    .createTable('queue_counts')
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('n', int, (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_counts_pk', ['model_id', 'name'])
    .execute();
  if (isPostgres(db)) await countTriggersPostgres(db);
  else await countTriggersSqlite(db);

  await db.schema
    .createTable('queue_leases')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('item_id', int, (c) => c.notNull().references('queue_items.id'))
    .addColumn('labeler', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('queue_leases_item_labeler', ['item_id', 'labeler'])
    .execute();
  await db.schema.createIndex('queue_leases_expiry').on('queue_leases').columns(['model_id', 'expires_at']).execute();
  await db.schema.createIndex('queue_leases_labeler').on('queue_leases').columns(['model_id', 'labeler']).execute();

  await db.schema
    .createTable('queue_labels')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('item_id', int, (c) => c.notNull().references('queue_items.id'))
    .addColumn('labeler', 'text', (c) => c.notNull())
    .addColumn('concepts_json', 'text', (c) => c.notNull())
    .addColumn('new_concepts_json', 'text', (c) => c.notNull())
    .addColumn('out_of_scope', int, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // One answer per labeler and item: a resubmission changes nothing.
    .addUniqueConstraint('queue_labels_item_labeler', ['item_id', 'labeler'])
    .execute();
  await db.schema.createIndex('queue_labels_model_created').on('queue_labels').columns(['model_id', 'created_at']).execute();
  await db.schema.createIndex('queue_labels_model_labeler').on('queue_labels').columns(['model_id', 'labeler', 'created_at']).execute();

  await db.schema
    .createTable('queue_skips')
    .addColumn('item_id', int, (c) => c.notNull().references('queue_items.id'))
    .addColumn('labeler', 'text', (c) => c.notNull())
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_skips_pk', ['item_id', 'labeler'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['queue_skips', 'queue_labels', 'queue_leases', 'queue_counts', 'queue_items']) await db.schema.dropTable(t).execute();
  if (isPostgres(db)) await sql`drop function queue_items_count()`.execute(db);
}

async function countTriggersSqlite(db: Kysely<any>): Promise<void> {
  const bump = (name: string, delta: string, where = 'true') =>
    `insert into queue_counts (model_id, name, n) select new.model_id, ${name}, ${delta} where ${where}
       on conflict (model_id, name) do update set n = n + excluded.n;`;
  const reasons = (delta: string) =>
    `insert into queue_counts (model_id, name, n) select new.model_id, 'open:' || value, ${delta} from json_each(new.reasons_json) where true
       on conflict (model_id, name) do update set n = n + excluded.n;`;
  const open = (row: 'old' | 'new') => `${row}.status in ('pending', 'leased')`;
  await sql
    .raw(
      `create trigger queue_items_count_insert after insert on queue_items begin
        ${bump(`'status:' || new.status`, '1')}
        ${reasons(`case when ${open('new')} then 1 else 0 end`)}
        ${bump(`'open:drift'`, '1', `new.drift_boost > 0 and ${open('new')}`)}
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger queue_items_count_status after update of status on queue_items when old.status != new.status begin
        ${bump(`'status:' || old.status`, '-1')}
        ${bump(`'status:' || new.status`, '1')}
        ${reasons(`(case when ${open('new')} then 1 else 0 end) - (case when ${open('old')} then 1 else 0 end)`)}
        ${bump(`'open:drift'`, `(case when ${open('new')} and new.drift_boost > 0 then 1 else 0 end) - (case when ${open('old')} and old.drift_boost > 0 then 1 else 0 end)`)}
      end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger queue_items_count_boost after update of drift_boost on queue_items
        when (old.drift_boost > 0) != (new.drift_boost > 0) and old.status = new.status begin
        ${bump(`'open:drift'`, 'case when new.drift_boost > 0 then 1 else -1 end', open('new'))}
      end`,
    )
    .execute(db);
}

/** The same counts as the SQLite triggers, as one PL/pgSQL trigger function. */
async function countTriggersPostgres(db: Kysely<any>): Promise<void> {
  const bump = (name: string, delta: string, where = 'true') =>
    `insert into queue_counts (model_id, name, n) select new.model_id, ${name}, ${delta} where ${where}
       on conflict (model_id, name) do update set n = queue_counts.n + excluded.n;`;
  const reasons = (delta: string) =>
    `insert into queue_counts (model_id, name, n) select new.model_id, 'open:' || value, ${delta}
       from json_array_elements_text(new.reasons_json::json) as value
       on conflict (model_id, name) do update set n = queue_counts.n + excluded.n;`;
  const open = (row: 'old' | 'new') => `${row}.status in ('pending', 'leased')`;
  await sql
    .raw(
      `create function queue_items_count() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          ${bump(`'status:' || new.status`, '1')}
          ${reasons(`case when ${open('new')} then 1 else 0 end`)}
          ${bump(`'open:drift'`, '1', `new.drift_boost > 0 and ${open('new')}`)}
        elsif old.status != new.status then
          ${bump(`'status:' || old.status`, '-1')}
          ${bump(`'status:' || new.status`, '1')}
          ${reasons(`(case when ${open('new')} then 1 else 0 end) - (case when ${open('old')} then 1 else 0 end)`)}
          ${bump(`'open:drift'`, `(case when ${open('new')} and new.drift_boost > 0 then 1 else 0 end) - (case when ${open('old')} and old.drift_boost > 0 then 1 else 0 end)`)}
        elsif (old.drift_boost > 0) != (new.drift_boost > 0) then
          ${bump(`'open:drift'`, 'case when new.drift_boost > 0 then 1 else -1 end', open('new'))}
        end if;
        return null;
      end $$`,
    )
    .execute(db);
  await sql`create trigger queue_items_count after insert or update of status, drift_boost on queue_items
    for each row execute function queue_items_count()`.execute(db);
}
