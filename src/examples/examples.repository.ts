import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import { lockUntilCommit } from '../db/dialect.js';
import type { ExampleTable, Split } from '../db/schema.js';

export type NewExampleRow = Insertable<ExampleTable>;

/** A stored example as the reference index needs it. */
export interface ReferenceRow {
  seq: number;
  id: string;
  split: Split;
  concepts_json: string;
  embedding: Buffer;
}

/**
 * Serializes the model's example inserts until `trx` ends, across instances: seqs then commit
 * in order, which is what catching up "after seq N" relies on (a no-op on SQLite's one writer).
 */
export function lockExamples(trx: Db, modelId: number): Promise<void> {
  return lockUntilCommit(trx, 'examples', modelId);
}

/** Ids among `ids` that the model already stores. */
export async function findExistingExampleIds(db: Db, modelId: number, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('examples')
      .select('id')
      .where('model_id', '=', modelId)
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Inserts rows and returns their sequence numbers, in order. */
export async function insertExamples(db: Db, rows: NewExampleRow[]): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const inserted = await db.insertInto('examples').values(rows.slice(i, i + 200)).returning('seq').execute();
    seqs.push(...inserted.map((r) => r.seq));
  }
  return seqs;
}

/** Examples of a model with seq above `afterSeq`, oldest first, a page at a time. */
export function listReferenceRows(db: Db, modelId: number, afterSeq: number, limit: number): Promise<ReferenceRow[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'split', 'concepts_json', 'embedding'])
    .where('model_id', '=', modelId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Ids and concepts of every example up to `maxSeq`, without embeddings. */
export function listExampleMeta(db: Db, modelId: number, maxSeq: number): Promise<Omit<ReferenceRow, 'embedding'>[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'split', 'concepts_json'])
    .where('model_id', '=', modelId)
    .where('seq', '<=', maxSeq)
    .execute();
}

/** The app's top-1 scores on the first `limit` uploaded examples sent with scores. */
export async function findAppTopScores(db: Db, modelId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('examples')
    .select('top_score')
    .where('model_id', '=', modelId)
    .where('source', '=', 'original')
    .where('top_score', 'is not', null)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => r.top_score!);
}

/** An eval example the app's scores came with. */
export interface ScoredEvalRow {
  seq: number;
  concepts_json: string;
  scores_json: string;
  embedding: Buffer;
}

/** Newest eval-split examples sent with scores, at most `limit`. */
export function listScoredEvalExamples(db: Db, modelId: number, limit: number): Promise<ScoredEvalRow[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'concepts_json', 'embedding', 'scores_json'])
    .where('model_id', '=', modelId)
    .where('split', '=', 'eval')
    .where('scores_json', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(limit)
    .$narrowType<{ scores_json: string }>()
    .execute();
}

/** How many eval examples carry scores, and the newest seq among them: changes whenever one is added. */
export async function scoredEvalVersion(db: Db, modelId: number): Promise<{ count: number; maxSeq: number | null }> {
  const row = await db
    .selectFrom('examples')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('seq').as('maxSeq')])
    .where('model_id', '=', modelId)
    .where('split', '=', 'eval')
    .where('scores_json', 'is not', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), maxSeq: row.maxSeq === null ? null : Number(row.maxSeq) };
}
