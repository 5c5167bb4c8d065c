import type { Kysely } from 'kysely';
import { columnTypes } from './portable.js';

// Frozen: migrations never import application code.
// The top-1 of the app's own scores on an example (its scores_json, from 0007), so the
// confidence_shift reference reads one number per example instead of parsing JSON.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('examples').addColumn('top_score', columnTypes(db).real).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('examples').dropColumn('top_score').execute();
}
