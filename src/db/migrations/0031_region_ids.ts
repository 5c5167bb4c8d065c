import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
// Region ids were carried from one clustering to the next in each instance's memory: two
// instances gave the same region different ids and tagged the queue with their own, so a labeler
// who read region 4 on one instance could claim another region's items on the other. One row per
// model now holds the last clustering's ids and centres, and the highest id issued, for every
// instance to carry ids from.
export async function up(db: Kysely<any>): Promise<void> {
  const { int, blob } = columnTypes(db);
  await db.schema
    .createTable('region_ids')
    .addColumn('model_id', int, (c) => c.primaryKey().references('models.id'))
    .addColumn('last_id', int, (c) => c.notNull())
    // The last clustering's region ids, in the order of its centres.
    .addColumn('ids_json', 'text', (c) => c.notNull())
    // Its centres: float32, little-endian, one after another.
    .addColumn('centroids', blob, (c) => c.notNull())
    .addColumn('dim', int, (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('region_ids').execute();
}
