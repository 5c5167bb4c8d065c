import { sql, type Kysely } from 'kysely';

// Frozen: migrations never import application code.
// confidence_shift reads the app's scores on the first scored examples at every drift
// evaluation. Without an index of just those rows the database walks every example of the
// model (100k rows: 0.2 s, on the event loop with SQLite) to find that none has a score.
// The condition is `top_score is not null` alone: a query's bound parameter (source = ?)
// cannot prove a partial index's condition to SQLite's planner, a literal IS NOT NULL can.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('examples_app_scores').on('examples').columns(['model_id', 'seq']).where(sql.ref('top_score'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists examples_app_scores`.execute(db);
}
