import type { Db } from '../db/database.js';

/** An example as the checklist reads it. */
export interface HealthExampleRow {
  seq: number;
  id: string;
  concepts_json: string;
  embedding: Buffer;
}

/** One split's examples with seq in (afterSeq, maxSeq], oldest first, a page at a time. */
export function listExamplesPage(db: Db, modelId: number, split: 'train' | 'eval', afterSeq: number, maxSeq: number, limit: number): Promise<HealthExampleRow[]> {
  return db
    .selectFrom('examples')
    .select(['seq', 'id', 'concepts_json', 'embedding'])
    .where('model_id', '=', modelId)
    .where('split', '=', split)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', maxSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Predictions with seq below `beforeSeq`, newest first, a page at a time. */
export function listPredictionsPage(db: Db, modelId: number, beforeSeq: number, limit: number): Promise<{ seq: number; id: string; embedding: Buffer }[]> {
  return db
    .selectFrom('predictions')
    .select(['seq', 'id', 'embedding'])
    .where('model_id', '=', modelId)
    .where('seq', '<', beforeSeq)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}

/** The newest prediction's seq, 0 when there is none. */
export async function latestPredictionSeq(db: Db, modelId: number): Promise<number> {
  const row = await db.selectFrom('predictions').select('seq').where('model_id', '=', modelId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row?.seq ?? 0;
}
