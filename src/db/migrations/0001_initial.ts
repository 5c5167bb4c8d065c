import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, real, blob, autoId } = columnTypes(db);
  await db.schema
    .createTable('api_keys')
    .addColumn('id', int, autoId)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('models')
    .addColumn('id', int, autoId)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('embedding_dim', int, (c) => c.notNull())
    .addColumn('encoder', 'text')
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('concepts_json', 'text', (c) => c.notNull())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('examples')
    .addColumn('seq', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('split', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('original'))
    .addColumn('concepts_json', 'text', (c) => c.notNull())
    .addColumn('embedding', blob, (c) => c.notNull())
    .addColumn('input_json', 'text')
    .addColumn('metadata_json', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('examples_model_id_id', ['model_id', 'id'])
    .execute();
  await db.schema.createIndex('examples_model_split_seq').on('examples').columns(['model_id', 'split', 'seq']).execute();

  await db.schema
    .createTable('predictions')
    .addColumn('seq', int, autoId)
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('embedding', blob, (c) => c.notNull())
    .addColumn('scores_json', 'text', (c) => c.notNull())
    .addColumn('predicted', 'text', (c) => c.notNull())
    .addColumn('top_score', real, (c) => c.notNull())
    .addColumn('encoder', 'text')
    .addColumn('model_version', 'text')
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('input_json', 'text')
    .addColumn('metadata_json', 'text')
    .addColumn('ood_distance', real, (c) => c.notNull())
    .addColumn('ood_score', real, (c) => c.notNull())
    .addColumn('is_ood', int, (c) => c.notNull())
    .addColumn('uncertainty', real, (c) => c.notNull())
    .addColumn('least_confidence', real, (c) => c.notNull())
    .addColumn('entropy', real, (c) => c.notNull())
    .addColumn('knn_concept', 'text')
    .addColumn('knn_agreement', real, (c) => c.notNull())
    .addColumn('disagreement', int, (c) => c.notNull())
    .addColumn('priority', real, (c) => c.notNull())
    .addColumn('neighbors_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('predictions_model_id_id', ['model_id', 'id'])
    .execute();
  await db.schema.createIndex('predictions_model_seq').on('predictions').columns(['model_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['predictions', 'examples', 'models', 'api_keys']) await db.schema.dropTable(t).execute();
}
