import { sql, type Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  const { int } = columnTypes(db);
  // The region of the latest clustering that contains the item's prediction; null outside the window.
  await db.schema.alterTable('queue_items').addColumn('region', int).execute();
  // Region claims walk this index from the top, as plain claims walk queue_items_claim.
  await sql`create index queue_items_region_claim on queue_items (model_id, region, status, priority desc, id) where region is not null`.execute(db);
  // Whether the labeler held a lease on the item, and whether the label came from a bulk confirmation.
  await db.schema.alterTable('queue_labels').addColumn('claimed', int, (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('queue_labels').addColumn('bulk', int, (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists queue_items_region_claim`.execute(db);
  await db.schema.alterTable('queue_labels').dropColumn('bulk').execute();
  await db.schema.alterTable('queue_labels').dropColumn('claimed').execute();
  await db.schema.alterTable('queue_items').dropColumn('region').execute();
}
