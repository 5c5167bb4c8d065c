import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, real, blob, autoId } = columnTypes(db);
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt', int, (c) => c.notNull().defaultTo(1))
    .addColumn('retry_of', 'text')
    .addColumn('params_json', 'text', (c) => c.notNull())
    .addColumn('progress_json', 'text')
    .addColumn('result_json', 'text')
    .addColumn('error_json', 'text')
    .addColumn('cancel_requested', int, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_status').on('jobs').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('jobs_model_type_created').on('jobs').columns(['model_id', 'type', 'created_at']).execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('version', int, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('concepts_json', 'text', (c) => c.notNull())
    .addColumn('backend', 'text', (c) => c.notNull())
    .addColumn('artifact_dir', 'text', (c) => c.notNull())
    .addColumn('metrics_json', 'text', (c) => c.notNull())
    .addColumn('thresholds_json', 'text', (c) => c.notNull())
    .addColumn('lineage_json', 'text', (c) => c.notNull())
    .addColumn('decision_json', 'text', (c) => c.notNull())
    .addColumn('eval_confidences', blob, (c) => c.notNull())
    .addColumn('eval_accuracy', real)
    .addColumn('data_as_of', 'text', (c) => c.notNull())
    .addColumn('duration_ms', int, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('promoted_at', 'text')
    .addColumn('retired_at', 'text')
    .addUniqueConstraint('model_versions_model_id_version', ['model_id', 'version'])
    .execute();
  await db.schema.createIndex('model_versions_model_status').on('model_versions').columns(['model_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('model_versions').execute();
  await db.schema.dropTable('jobs').execute();
}
