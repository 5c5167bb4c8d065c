import type { Kysely } from 'kysely';

// Frozen: migrations never import application code.
// The app's own scores on an example, when the client sends them: the reference that
// confidence_shift compares the app's production scores with.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('examples').addColumn('scores_json', 'text').execute();
  await db.schema.alterTable('examples').addColumn('top_score', 'real').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('examples').dropColumn('top_score').execute();
  await db.schema.alterTable('examples').dropColumn('scores_json').execute();
}
