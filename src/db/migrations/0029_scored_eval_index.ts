import { sql, type Kysely } from 'kysely';

// Frozen: migrations never import application code.
// Every drift evaluation asks how many eval examples carry the app's scores (the calibration
// pairs' version). Through examples_model_split_seq that count read every eval example's row to
// test scores_json (20k eval examples: 20 ms of CPU on the event loop with SQLite, every 5 s of
// ingest) to find that none had scores. This index holds just the scored eval rows. Its condition
// is literal, as the query's split is (see 0016 on bound parameters); split is a column as well so
// that SQLite's planner, without statistics, prefers it to examples_model_split_seq.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index examples_scored_eval on examples (model_id, split, seq) where split = 'eval' and scores_json is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists examples_scored_eval`.execute(db);
}
