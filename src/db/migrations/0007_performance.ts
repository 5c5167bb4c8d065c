import type { Kysely } from 'kysely';

// Frozen: migrations never import application code.
export async function up(db: Kysely<any>): Promise<void> {
  // The app's own scores on a labeled example: eval examples sent with scores calibrate the accuracy estimate.
  await db.schema.alterTable('examples').addColumn('scores_json', 'text').execute();
  // The accuracy estimate of each stored evaluation, for the chart over time (null before it existed).
  await db.schema.alterTable('drift_snapshots').addColumn('performance_json', 'text').execute();
  // `critical` when accuracy is confirmed to drop, `warning` for input drift that does not (yet) hurt.
  await db.schema.alterTable('drift_events').addColumn('severity', 'text', (c) => c.notNull().defaultTo('critical')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('drift_events').dropColumn('severity').execute();
  await db.schema.alterTable('drift_snapshots').dropColumn('performance_json').execute();
  await db.schema.alterTable('examples').dropColumn('scores_json').execute();
}
