import type SQLite from 'better-sqlite3';
import { sql, type Insertable, type Selectable } from 'kysely';
import { compiledOnce } from '../db/compiled-once.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import { isPostgres, prepared } from '../db/dialect.js';
import type { PredictionTable } from '../db/schema.js';

export type NewPredictionRow = Insertable<PredictionTable>;
type PredictionRow = Selectable<PredictionTable>;

/** The stored scores of a prediction, as returned to the client. */
export type StoredResultRow = Pick<PredictionRow, 'id' | 'ood_distance' | 'ood_score' | 'is_ood' | 'uncertainty' | 'priority'>;

/**
 * Stored results of those `ids` the model already has. On PostgreSQL the ids go as one array
 * (`= any`) of one prepared statement, instead of a statement of a hundred parameters to parse
 * and plan per batch; on SQLite as one JSON array (`json_each`) of a statement compiled once: a
 * list of a hundred parameters cost kysely about 0.1 ms to build per batch and SQLite twice as
 * long to bind and run (83–93 against 41 µs per 100 ids in isolation).
 */
export async function findStoredResults(db: Db, modelId: number, ids: string[]): Promise<Map<string, StoredResultRow>> {
  const found = new Map<string, StoredResultRow>();
  if (!isPostgres(db)) {
    const { rows } = await db.executeQuery(storedResultsOnSqlite(db, { modelId, idsJson: JSON.stringify(ids) }));
    for (const r of rows) found.set(r.id, r);
    return found;
  }
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const { rows } = await sql<StoredResultRow>`${prepared} select id, ood_distance, ood_score, is_ood, uncertainty, priority from predictions
      where model_id = ${modelId} and id = any(${chunk}::text[])`.execute(db);
    for (const r of rows) found.set(r.id, r);
  }
  return found;
}

const storedResultsOnSqlite = compiledOnce((db, { modelId, idsJson }: { modelId: number; idsJson: string }) =>
  db
    .selectFrom('predictions')
    .select(['id', 'ood_distance', 'ood_score', 'is_ood', 'uncertainty', 'priority'])
    .where('model_id', '=', modelId)
    .where('id', 'in', sql<string>`(select value from json_each(${idsJson}))`),
);

/** Inserts rows and returns their sequence numbers, in order. */
export async function insertPredictions(db: Db, rows: NewPredictionRow[]): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < rows.length; i += 100) {
    const inserted = await db.insertInto('predictions').values(rows.slice(i, i + 100)).returning('seq').execute();
    seqs.push(...inserted.map((r) => r.seq));
  }
  return seqs;
}

/**
 * Inserts for the ingest hot path, inside the transaction `trx`: the rows whose ids the model
 * does not have yet. Returns the sequence numbers of the rows it stored, by id; a row another
 * transaction stored first (another instance, a retry) is left out. The conflict check is part
 * of the insert (`on conflict do nothing`, which on PostgreSQL waits for that transaction), not
 * a read before it. On SQLite, one prepared statement reused row after row on the connection
 * kysely runs on (so it is part of `trx`); on PostgreSQL, one statement per 100 rows that takes
 * a column's values as one array (see {@link insertUnnested}).
 */
export async function insertNewPredictions(database: DatabaseHandle, trx: Db, rows: NewPredictionRow[]): Promise<Map<string, number>> {
  if (database.sqlite) return insertNewPrepared(database.sqlite, rows);
  const stored = new Map<string, number>();
  for (let i = 0; i < rows.length; i += 100) {
    for (const r of await insertUnnested(trx, rows.slice(i, i + 100))) stored.set(r.id, r.seq);
  }
  return stored;
}

/** The columns {@link insertUnnested} takes as arrays, with their PostgreSQL types (model_id and embedding go apart). */
const UNNESTED_COLUMNS = {
  id: 'text',
  scores_json: 'text',
  predicted: 'text',
  top_score: 'float8',
  encoder: 'text',
  model_version: 'text',
  timestamp: 'text',
  input_json: 'text',
  metadata_json: 'text',
  ood_distance: 'float8',
  ood_score: 'float8',
  is_ood: 'int8',
  uncertainty: 'float8',
  least_confidence: 'float8',
  entropy: 'float8',
  knn_concept: 'text',
  knn_agreement: 'float8',
  disagreement: 'int8',
  priority: 'float8',
  neighbors_json: 'text',
  created_at: 'text',
} as const satisfies Record<Exclude<keyof PredictionTable, 'seq' | 'model_id' | 'embedding'>, string>;

const unnestedNames = Object.keys(UNNESTED_COLUMNS) as (keyof typeof UNNESTED_COLUMNS)[];
const unnestedColumns = sql.raw(unnestedNames.join(', '));

/**
 * One PostgreSQL insert of rows of one model whose statement text is the same for any number of
 * rows: each column's values go as one array, unnested in order (so the sequence numbers follow
 * the rows' order), and the embeddings as one bytea cut by offsets. A multi-row `values` list
 * of 23 parameters per row made PostgreSQL parse and plan a new statement of 2,300 parameters per
 * batch (about a third of the backend's CPU for the batch) and kysely build and compile it on the
 * main thread; this one is prepared once per connection. A bytea array would go as hex text, a
 * single bytea goes in binary.
 */
async function insertUnnested(trx: Db, rows: NewPredictionRow[]): Promise<{ id: string; seq: number }[]> {
  if (rows.length === 0) return [];
  const modelId = rows[0]!.model_id;
  if (rows.some((r) => r.model_id !== modelId)) throw new Error('insertUnnested takes rows of one model');
  const starts: number[] = [];
  const lengths: number[] = [];
  let at = 1;
  for (const r of rows) {
    starts.push(at);
    lengths.push(r.embedding.length);
    at += r.embedding.length;
  }
  const embeddings = Buffer.concat(rows.map((r) => r.embedding), at - 1);
  const arrays = unnestedNames.map((c) => sql`${rows.map((r) => r[c] ?? null)}::${sql.raw(UNNESTED_COLUMNS[c])}[]`);
  const { rows: inserted } = await sql<{ id: string; seq: number }>`${prepared} insert into predictions (model_id, embedding, ${unnestedColumns})
    select ${modelId}::int8, substring(${embeddings}::bytea from u.embedding_start for u.embedding_length), ${unnestedColumns}
    from unnest(${starts}::int4[], ${lengths}::int4[], ${sql.join(arrays)}) as u(embedding_start, embedding_length, ${unnestedColumns})
    on conflict (model_id, id) do nothing
    returning id, seq`.execute(trx);
  return inserted;
}

const insertStatements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function insertNewPrepared(sqlite: SQLite.Database, rows: NewPredictionRow[]): Map<string, number> {
  const stored = new Map<string, number>();
  if (rows.length === 0) return stored;
  const columns = Object.keys(rows[0]!) as (keyof NewPredictionRow)[];
  let byColumns = insertStatements.get(sqlite);
  if (!byColumns) insertStatements.set(sqlite, (byColumns = new Map()));
  let statement = byColumns.get(columns.join());
  if (!statement) {
    statement = sqlite.prepare(`insert into predictions (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) on conflict (model_id, id) do nothing`);
    byColumns.set(columns.join(), statement);
  }
  // Positional parameters from one reused array: binding by name looks each of the 23 names up
  // in the row (0.62 against 0.72 ms of CPU per 100 rows inserted and committed, in isolation).
  const values: unknown[] = new Array(columns.length);
  for (const row of rows) {
    for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]!];
    const result = statement.run(values);
    if (result.changes === 1) stored.set(row.id, Number(result.lastInsertRowid));
  }
  return stored;
}
