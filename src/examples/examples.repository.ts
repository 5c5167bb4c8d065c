import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import { lockUntilCommit } from '../db/dialect.js';
import type { ExampleTable, Split } from '../db/schema.js';

export type NewExampleRow = Insertable<ExampleTable>;

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

