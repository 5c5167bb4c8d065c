import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, real } = columnTypes(db);
  // Events so far were all raised by the OOD rate; performance events (issue 12) come later.
  await db.schema.alterTable('drift_events').addColumn('kind', 'text', (c) => c.notNull().defaultTo('ood')).execute();

  // One row per model: the sequential detector's state, written in the ingest transaction.
  await db.schema
    .createTable('drift_sequential')
    .addColumn('model_id', int, (c) => c.primaryKey().references('models.id'))
    .addColumn('reference_key', 'text', (c) => c.notNull())
    .addColumn('statistic', real, (c) => c.notNull())
    .addColumn('observed', int, (c) => c.notNull())
    .addColumn('last_seq', int)
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('alarm_at', 'text')
    .addColumn('alarm_seq', int)
    .addColumn('alarm_statistic', real)
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('drift_sequential').execute();
  await db.schema.alterTable('drift_events').dropColumn('kind').execute();
}
