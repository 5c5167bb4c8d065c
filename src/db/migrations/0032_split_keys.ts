import type { Kysely } from 'kysely';

// Frozen: migrations never import application code.
// A labeled production item's split was the plain SHA-256 of its prediction id, an id the app
// chooses: an app could pick ids that keep its inputs out of the eval split, or crowd it. Models
// created from now on hold a secret key and hash ids with HMAC-SHA256 under it. Models created
// before keep a null key and the plain hash, so no item already labeled changes split.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('models').addColumn('split_key', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('models').dropColumn('split_key').execute();
}
