import type { Db } from '../db/database.js';
import { decodeVector } from '../util/vectors.js';
import type { SourceRecord } from './training-data.js';

/** Every original (uploaded) example of a model, both splits. */
export async function listOriginalExamples(db: Db, modelId: number): Promise<SourceRecord[]> {
  const rows = await db
    .selectFrom('examples')
    .select(['id', 'split', 'concepts_json', 'embedding'])
    .where('model_id', '=', modelId)
    .where('source', '=', 'original')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    split: r.split,
    concepts: JSON.parse(r.concepts_json) as string[],
    embedding: decodeVector(r.embedding),
  }));
}

/** Number of original train-split examples, to refuse a retrain with nothing to learn from. */
export async function countOriginalTrain(db: Db, modelId: number): Promise<number> {
  const row = await db
    .selectFrom('examples')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('model_id', '=', modelId)
    .where('source', '=', 'original')
    .where('split', '=', 'train')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
