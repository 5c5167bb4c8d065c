import { sql, type Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, blob } = columnTypes(db);
  // Every instance polls "the model's examples after seq N": an index range scan, not a walk of the model's rows.
  await db.schema.createIndex('examples_model_seq').on('examples').columns(['model_id', 'seq']).execute();
  // The newest published snapshot of one derived index of a model: what a new instance loads instead of rebuilding.
  await db.schema
    .createTable('index_snapshots')
    .addColumn('model_id', int, (c) => c.notNull().references('models.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('high_water', int, (c) => c.notNull())
    // [{ name, bytes, sha256, parts }], in the order the files are restored.
    .addColumn('files_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('index_snapshots_pk', ['model_id', 'kind'])
    .execute();
  // The files' bytes in parts, so neither side holds one huge value in a single protocol message.
  await db.schema
    .createTable('index_snapshot_parts')
    .addColumn('model_id', int, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('part', int, (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addPrimaryKeyConstraint('index_snapshot_parts_pk', ['model_id', 'kind', 'file', 'part'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('index_snapshot_parts').execute();
  await db.schema.dropTable('index_snapshots').execute();
  await sql`drop index if exists examples_model_seq`.execute(db);
}
