import { sql, type Kysely } from 'kysely';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('queue_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('model_id', 'integer', (c) => c.notNull().references('models.id'))
    .addColumn('prediction_seq', 'integer', (c) => c.notNull().unique().references('predictions.seq'))
    .addColumn('prediction_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('base_priority', 'real', (c) => c.notNull())
    .addColumn('priority', 'real', (c) => c.notNull())
    .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reasons_json', 'text', (c) => c.notNull())
    .addColumn('drift_boost', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('split', 'text', (c) => c.notNull())
    .addColumn('labels_needed', 'integer', (c) => c.notNull())
    .addColumn('labels_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('out_of_scope_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('leases_count', 'integer', (c) => c.notNull().defaultTo(0))
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
    .addColumn('model_id', 'integer', (c) => c.notNull().references('models.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_counts_pk', ['model_id', 'name'])
    .execute();
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

  await db.schema
    .createTable('queue_leases')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('model_id', 'integer', (c) => c.notNull().references('models.id'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('queue_items.id'))
    .addColumn('labeler', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('queue_leases_item_labeler', ['item_id', 'labeler'])
    .execute();
  await db.schema.createIndex('queue_leases_expiry').on('queue_leases').columns(['model_id', 'expires_at']).execute();
  await db.schema.createIndex('queue_leases_labeler').on('queue_leases').columns(['model_id', 'labeler']).execute();

  await db.schema
    .createTable('queue_labels')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('model_id', 'integer', (c) => c.notNull().references('models.id'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('queue_items.id'))
    .addColumn('labeler', 'text', (c) => c.notNull())
    .addColumn('concepts_json', 'text', (c) => c.notNull())
    .addColumn('new_concepts_json', 'text', (c) => c.notNull())
    .addColumn('out_of_scope', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // One answer per labeler and item: a resubmission changes nothing.
    .addUniqueConstraint('queue_labels_item_labeler', ['item_id', 'labeler'])
    .execute();
  await db.schema.createIndex('queue_labels_model_created').on('queue_labels').columns(['model_id', 'created_at']).execute();
  await db.schema.createIndex('queue_labels_model_labeler').on('queue_labels').columns(['model_id', 'labeler', 'created_at']).execute();

  await db.schema
    .createTable('queue_skips')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('queue_items.id'))
    .addColumn('labeler', 'text', (c) => c.notNull())
    .addColumn('model_id', 'integer', (c) => c.notNull().references('models.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_skips_pk', ['item_id', 'labeler'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['queue_skips', 'queue_labels', 'queue_leases', 'queue_counts', 'queue_items']) await db.schema.dropTable(t).execute();
}
