import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, real, autoId } = columnTypes(db);
  await db.schema
    .createTable('drift_snapshots')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('from_seq', int)
    .addColumn('to_seq', int)
    .addColumn('window_size', int, (c) => c.notNull())
    .addColumn('window_count', int, (c) => c.notNull())
    .addColumn('score', real, (c) => c.notNull())
    .addColumn('threshold', real, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tests_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('drift_snapshots_model_id').on('drift_snapshots').columns(['model_id', 'id']).execute();

  await db.schema
    .createTable('drift_events')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('snapshot_id', int, (c) => c.notNull().references('drift_snapshots.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('score', real, (c) => c.notNull())
    .addColumn('threshold', real, (c) => c.notNull())
    .addColumn('p_value', real, (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('drift_events_model_id').on('drift_events').columns(['model_id', 'id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('event_id', int, (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', int, (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_status_code', int)
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').columns(['event_type', 'event_id']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', int, autoId)
    .addColumn('delivery_id', int, (c) => c.notNull().references('webhook_deliveries.id'))
    .addColumn('attempt', int, (c) => c.notNull())
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('ok', int, (c) => c.notNull())
    .addColumn('status_code', int)
    .addColumn('error', 'text')
    .addColumn('duration_ms', real, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'attempt']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['webhook_attempts', 'webhook_deliveries', 'drift_events', 'drift_snapshots']) await db.schema.dropTable(t).execute();
}
